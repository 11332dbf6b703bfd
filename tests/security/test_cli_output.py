"""CLI output: a closed pipe ends quietly, a huge argument is never echoed (issue 24 item 12)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import EXIT_BROKEN_PIPE, MAX_ECHO_CHARS, main
from core.storage import Storage

ROOT = Path(__file__).resolve().parents[2]


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`python -m core taught | head -1`: the rest of the output meets a closed pipe."""
    database = tmp_path / "data" / "assistant.sqlite3"
    Storage(database).close()
    with sqlite3.connect(database) as db:  # 300 kB of output, far more than a pipe's buffer
        db.executemany("INSERT INTO taught VALUES (?, ?, 'get_news', '2026-01-01')",
                       [(f"k{i}", f"request {i} " + "x" * 100) for i in range(3000)])
    child = subprocess.Popen([sys.executable, "-m", "core", "taught"], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env={**os.environ, "OFFLINE_ASSISTANT_HOME": str(tmp_path)})
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b"{")
    child.stdout.close()  # what `head -1` does after its line
    with child.stderr:
        err = child.stderr.read().decode()
    assert child.wait(60) == EXIT_BROKEN_PIPE and "Traceback" not in err and "BrokenPipe" not in err


def test_teach_never_echoes_a_huge_argument(tmp_path: Path, tiny_bundle: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OFFLINE_ASSISTANT_HOME", str(tmp_path))
    huge = "qué echan en el cine " * 6500  # 128 kB
    assert main(["teach", huge, "get_news", "--model", str(tiny_bundle)]) == 2
    captured = capsys.readouterr()
    assert len(captured.out) + len(captured.err) < 4 * MAX_ECHO_CHARS + 300, captured.err[:300]
    assert "too short or too long" in captured.err


def test_forget_echoes_a_short_clean_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OFFLINE_ASSISTANT_HOME", str(tmp_path))
    assert main(["forget", "\x1b]0;pwned\x07" + "y" * 100_000]) == 0
    out = capsys.readouterr().out
    assert len(out) < 300 and "\x1b" not in out and "pwned" not in out
