from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.storage import MIGRATIONS, Storage


def test_history_feedback_and_profile_round_trip(tmp_path: Path) -> None:
    db = Storage(tmp_path / "a.sqlite3")
    assert db.schema_version == len(MIGRATIONS)
    db.add_history("noticias", "get_news", 0.9, "get_news")
    db.add_history("hmm", "get_help", 0.4, None)
    assert [h.text for h in db.history()] == ["hmm", "noticias"]
    db.add_feedback("hmm", "get_help", "get_news", "clarification")
    db.add_feedback("zzz", "get_help", None, "none")
    assert [(f.chosen, f.kind) for f in db.feedback()] == [("get_news", "clarification"), (None, "none")]
    db.set_profile({"name": "Ana", "phone": "600 111 222"})
    db.set_profile({"phone": ""})
    assert db.profile() == {"name": "Ana"}
    db.clear_history()
    assert db.history() == []
    with pytest.raises(ValueError, match="unknown profile field"):
        db.set_profile({"password": "x"})
    with pytest.raises(sqlite3.IntegrityError):
        db.add_feedback("x", "y", None, "bogus")


def test_wal_mode_and_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    db = Storage(path)
    db.add_history("uno", "get_news", 0.9, "get_news")
    db.close()
    again = Storage(path)
    assert again.schema_version == len(MIGRATIONS)
    assert [h.text for h in again.history()] == ["uno"]
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


@pytest.mark.slow
def test_a_process_killed_mid_write_leaves_a_consistent_database(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    writer = (
        "import sys\nfrom pathlib import Path\nimport core.storage\nfrom core.storage import Storage\n"
        # History is capped (oldest dropped) and feedback is not: lift the cap so the two counts stay comparable
        # however many rows a fast machine writes before the kill.
        "core.storage.MAX_HISTORY = 10**9\n"
        f"db = Storage(Path({str(path)!r}))\nprint('ready', flush=True)\n"
        "i = 0\nwhile True:\n    db.add_history('x' * 500, 'get_news', 0.5, None)\n"
        "    db.add_feedback('x', 'get_news', None, 'none')\n    i += 1\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    reader = Storage(path)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(reader.history(5)) < 5:
        time.sleep(0.02)  # polling the database itself: the writer has no signal to wait on
    reader.close()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    db = Storage(path)
    assert db._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    history, feedback = len(db.history(10**9)), len(db.feedback())
    assert history >= 5
    assert feedback in (history - 1, history)  # each row is committed whole or not at all
    db.close()


def test_invalid_profile_values_are_refused(tmp_path: Path) -> None:
    import pytest

    from core.storage import Storage, invalid_profile_fields

    assert invalid_profile_fields({"email": "this is not an email", "phone": "abc"}) == ["email", "phone"]
    assert invalid_profile_fields({"email": "ana@example.org", "phone": "+34 910 000 123", "name": ""}) == []
    with pytest.raises(ValueError, match="not valid"):
        Storage(tmp_path / "db.sqlite3").set_profile({"email": "nope"})
