"""Local data: concurrent first starts, damaged files, unwritable folders, file modes, privacy."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from core.errors import StorageError
from core.storage import Storage


def _open_and_write(path: str) -> str:
    try:
        storage = Storage(Path(path))
        storage.add_history("hola", "get_help", 0.9, "get_help")
        storage.close()
        return "ok"
    except Exception as exc:  # reported to the parent, which asserts there were none
        return f"{type(exc).__name__}: {exc}"


def test_four_instances_starting_together_on_a_fresh_database_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        for round_ in range(5):
            path = str(tmp_path / f"round{round_}" / "assistant.sqlite3")
            assert pool.map(_open_and_write, [path] * 4) == ["ok"] * 4
            assert len(Storage(Path(path)).history()) == 4


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_database_is_kept_aside_and_a_fresh_one_created(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "assistant.sqlite3"
    storage = Storage(path)
    for i in range(200):
        storage.add_history(f"request {i}", "get_news", 0.9, "get_news")
    storage.close()
    data = path.read_bytes()
    path.write_bytes(b"this is not a database" * 100 if damage == "garbage" else data[:3000])
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        side.unlink(missing_ok=True)
    recovered = Storage(path)
    assert recovered.recovered_from is not None and recovered.recovered_from.exists()
    assert "corrupt-" in recovered.recovered_from.name
    recovered.add_history("after", "get_help", 0.8, None)
    assert [h.text for h in recovered.history()] == ["after"]


def test_an_unwritable_data_folder_gives_a_working_in_memory_store(tmp_path: Path) -> None:
    blocked = tmp_path / "assistant.sqlite3"
    blocked.mkdir()  # a folder where the file should be: cannot be opened, even by root
    storage = Storage(blocked)
    assert storage.read_only_reason and storage.recovered_from is None
    storage.add_history("hola", "get_help", 0.9, None)
    assert storage.history()[0].text == "hola"


def test_a_write_that_fails_later_is_a_typed_error(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "assistant.sqlite3")
    storage._db.execute("PRAGMA query_only = ON")  # what a disk turned read-only looks like to SQLite
    with pytest.raises(StorageError, match="cannot be written"):
        storage.add_history("hola", "get_help", 0.9, None)


def test_the_database_is_private_to_the_user(tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite3"
    Storage(path).add_history("my address is …", "get_profile", 0.9, None)
    assert path.stat().st_mode & 0o777 == 0o600
    old = tmp_path / "old.sqlite3"
    sqlite3.connect(old).close()
    old.chmod(0o644)
    Storage(old)
    assert old.stat().st_mode & 0o777 == 0o600


def test_clear_history_clears_feedback_too(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "assistant.sqlite3")
    storage.add_history("maybe", "get_news", 0.5, None)
    storage.add_feedback("maybe", "get_news", "get_help", "clarification")
    storage.clear_history()
    assert storage.history() == [] and storage.feedback() == []
