"""`train --feedback`: a hostile database gives clear errors and escaped, capped output; the gate resists
poisoning (ties refused, canaries and public out-of-scope rows checked)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from core.errors import FeedbackError
from core.storage import Storage
from scripts import feedback
from scripts.data import Splits
from scripts.feedback import canaries, fold_feedback, read_feedback, regression_gate


def splits_of(run: Path) -> Splits:
    return Splits.from_json(json.loads((run / "splits.json").read_text(encoding="utf-8")))


def db_with(path: Path, rows: list[tuple[str, str]]) -> Path:
    storage = Storage(path)
    for text, chosen in rows:
        storage.add_feedback(text, "out_of_scope", chosen, "correction")
    storage.close()
    return path


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(FeedbackError, match="not an SQLite database"):
        read_feedback(tmp_path / "notes.txt")


def test_a_database_of_another_schema_is_a_clear_error(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "other.sqlite3") as connection:
        connection.execute("CREATE TABLE feedback (something TEXT)")
    with pytest.raises(FeedbackError, match="expected the tables"):
        read_feedback(tmp_path / "other.sqlite3")


def test_control_bytes_from_rows_are_escaped_in_the_summary(tiny_run: Path, tmp_path: Path) -> None:
    hostile = "news \x1b]0;pwned\x07 \x1b[2J now\x00 \u202etxt"
    rows = read_feedback(db_with(tmp_path / "a.sqlite3", [(hostile, "get_news"), ("x", "no\x1b[31mintent")]))
    _, summary = fold_feedback(splits_of(tiny_run), rows)
    printed = "\n".join(summary.lines())
    assert not any(c in printed for c in "\x1b\x07\x00\u202e") and "\\x1b" in printed


def test_poisoned_rows_are_capped_per_intent_and_the_refused_are_listed(tiny_run: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feedback, "MAX_ROWS", 1500)
    rows = read_feedback(db_with(tmp_path / "a.sqlite3", [(f"set an alarm at {i}", "get_help") for i in range(2000)]))
    assert len(rows) == 1500  # the newest rows only
    _, summary = fold_feedback(splits_of(tiny_run), rows)
    assert len(summary.added) == feedback.MAX_PER_INTENT and len(summary.over_cap) == 1500 - feedback.MAX_PER_INTENT
    lines = summary.lines()
    assert "refused" in lines[0] and len(lines) < 2 * feedback.MAX_LISTED + 10 and "more" in lines[-1]


def poison_for(splits: Splits) -> list[tuple[str, str]]:
    """A poisoned correction built on an out-of-scope train request ("set an alarm" -> help, say): the hashed
    split decides which tiny requests are in train, so the test picks one that is."""
    text = next(t for t, label in splits.train if label == "out_of_scope")
    return [(f"{text} for seven", "get_help")]


def test_canaries_are_the_dataset_neighbours_of_the_feedback(tiny_run: Path) -> None:
    splits = splits_of(tiny_run)
    poison = poison_for(splits)
    found = canaries(poison, splits)
    assert found and all(label != "get_help" for _, label in found)
    assert any(text in poison[0][0] for text, _ in found)


def fake_right(monkeypatch: pytest.MonkeyPatch, new_wrong_from: int | None) -> None:
    """Both bundles right on every row, except the new one from row `new_wrong_from` of the last set on."""
    def right(bundle: Path, rows: list[tuple[str, str]], splits: Splits) -> list[bool]:
        marks = [True] * len(rows)
        if bundle.name == "new" and new_wrong_from is not None:
            marks[new_wrong_from:] = [False] * (len(rows) - new_wrong_from)
        return marks

    monkeypatch.setattr(feedback, "_right", right)


def two_bundles(tiny_bundle: Path, tmp_path: Path) -> tuple[Path, Path]:
    current, new = tmp_path / "current", tmp_path / "new"
    shutil.copytree(tiny_bundle, current)
    shutil.copytree(tiny_bundle, new)
    with (new / "model.pt").open("ab") as model:
        model.write(b"retrained")  # another model file (the gate's figures are faked here)
    return new, current


def test_a_tie_is_refused(tiny_run: Path, tiny_bundle: Path, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    fake_right(monkeypatch, None)
    ok, figures = regression_gate(*two_bundles(tiny_bundle, tmp_path), splits_of(tiny_run), public_oos=[])
    assert not ok and "tie" in figures["refused"]


def test_a_bundle_that_breaks_the_canaries_is_refused(tiny_run: Path, tiny_bundle: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    splits = splits_of(tiny_run)
    poison = poison_for(splits)
    fake_right(monkeypatch, -len(canaries(poison, splits)))  # wrong exactly on the canaries, right elsewhere
    ok, figures = regression_gate(*two_bundles(tiny_bundle, tmp_path), splits, feedback=poison, public_oos=[])
    assert not ok and "canaries" in figures["refused"] and figures["canaries_now_wrong"]


def test_public_out_of_scope_rows_join_the_gate(tiny_run: Path) -> None:
    rows = feedback.public_oos_rows(splits_of(tiny_run))
    if not rows:
        pytest.skip("the shared public datasets are not in this checkout")
    assert {label for _, label in rows} == {"out_of_scope"} and len(rows) <= 2 * feedback.PUBLIC_OOS_ROWS
