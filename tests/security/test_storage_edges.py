"""Storage edge cases: a FIFO or folder where a file should be, a read-only data folder, nothing stored is an
error (issue 24 item 10)."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import core.storage as storage_module
from core.cli import main
from core.errors import StorageError
from core.memory import TeachingMemory
from core.settings import Settings, load_settings
from core.storage import Storage


def _finishes(work: Callable[[], Any], seconds: float = 10) -> Any:
    """work()'s result, or a failure when it blocks (before the fix, opening a FIFO waited for ever)."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"still blocked after {seconds} s"
    return result[0]


def test_a_fifo_in_place_of_the_database_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "assistant.sqlite3"
    os.mkfifo(fifo)
    storage = _finishes(lambda: Storage(fifo))
    assert "not a regular file" in storage.read_only_reason or "No such device" in storage.read_only_reason


def test_a_fifo_in_place_of_settings_json_gives_defaults_and_a_warning(tmp_path: Path) -> None:
    fifo = tmp_path / "settings.json"
    os.mkfifo(fifo)
    warnings: list[str] = []
    assert _finishes(lambda: load_settings(fifo, warnings.append)) == Settings()
    assert warnings and "not a regular file" in warnings[0]


def _taught_database(path: Path) -> None:
    storage = Storage(path)
    TeachingMemory(storage).teach("what's on at the cinema", "get_news", ["get_news", "get_help"])
    storage.add_history("hola", "get_help", 0.9, "get_help")
    storage.close()


def test_a_read_only_database_is_read_and_every_write_is_an_error(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """What a read-only folder does (simulated: root, who runs the tests here, may write anywhere)."""
    path = tmp_path / "assistant.sqlite3"
    _taught_database(path)

    def read_only(target: Path) -> None:
        raise PermissionError(13, "Read-only file system", str(target))

    monkeypatch.setattr(storage_module, "_create_private", read_only)
    storage = Storage(path)
    assert storage.read_only_reason
    assert TeachingMemory(storage).match("whats on at the cinema") is not None  # what was taught still applies
    assert [h.text for h in storage.history()] == ["hola"]
    with pytest.raises(StorageError):
        storage.add_history("adiós", "get_help", 0.9, None)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_really_read_only_folder_is_opened_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    _taught_database(folder / "assistant.sqlite3")
    for side in folder.glob("*-*"):
        side.unlink()
    folder.chmod(0o555)
    try:
        storage = Storage(folder / "assistant.sqlite3")
        assert storage.read_only_reason and len(storage.taught()) == 1
    finally:
        folder.chmod(0o755)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OFFLINE_ASSISTANT_HOME", str(tmp_path))
    return tmp_path


def test_teach_exits_non_zero_when_the_database_is_a_folder(home: Path, tiny_bundle: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (home / "data" / "assistant.sqlite3").mkdir(parents=True)
    assert main(["teach", "what's on at the cinema", "get_news", "--model", str(tiny_bundle)]) == 1
    captured = capsys.readouterr()
    assert "learned" not in captured.out and "nothing was learned" in captured.err


def test_teach_exits_non_zero_when_the_database_is_a_fifo(home: Path, tiny_bundle: Path) -> None:
    (home / "data").mkdir()
    os.mkfifo(home / "data" / "assistant.sqlite3")
    assert _finishes(lambda: main(["teach", "what's on at the cinema", "get_news", "--model",
                                   str(tiny_bundle)])) == 1


def test_teach_still_works_and_stores(home: Path, tiny_bundle: Path) -> None:
    assert main(["teach", "what's on at the cinema", "get_news", "--model", str(tiny_bundle)]) == 0
    with sqlite3.connect(home / "data" / "assistant.sqlite3") as db:
        assert db.execute("SELECT intent FROM taught").fetchall() == [("get_news",)]
