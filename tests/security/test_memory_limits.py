"""Teaching memory and history stay bounded whoever wrote the rows; forget removes what still matches
(issue 24 item 12)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

import core.storage as storage_module
from core.memory import MAX_TAUGHT, TeachingMemory, teach_key
from core.storage import Storage

LABELS = ["get_news", "get_help", "get_profile"]


def _flood(path: Path, rows: int) -> None:
    """What another process (a script, an older version) may leave: far more taught rows than the cap."""
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO taught (key, text, intent, created_at) VALUES (?, ?, ?, ?)",
                       [(f"request number {i} about things", f"request number {i} about things", "get_help",
                         f"2026-01-01T00:00:{i % 60:02d}.{i:06d}") for i in range(rows)])


def test_the_cap_holds_when_reading_rows_another_process_wrote(tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite3"
    storage = Storage(path)
    _flood(path, 3 * MAX_TAUGHT)
    memory = TeachingMemory(storage)
    started = time.perf_counter()
    memory.match("something else entirely")
    assert time.perf_counter() - started < 2
    assert len(memory._indexed()) == MAX_TAUGHT  # the newest ones, not every row


def test_teaching_trims_the_table_to_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite3"
    storage = Storage(path)
    _flood(path, MAX_TAUGHT + 500)
    started = time.perf_counter()
    assert TeachingMemory(storage).teach("what's on at the cinema", "get_news", LABELS)
    assert time.perf_counter() - started < 2
    assert len(storage.taught()) == MAX_TAUGHT
    assert storage.taught(1)[0].intent == "get_news"  # the newest survives


@pytest.mark.parametrize("variant", ["whats on at the cinemas", "the cinema what's on at", "What's on at the cinema??"])
def test_forgetting_a_variant_forgets_what_it_matches(tmp_path: Path, variant: str) -> None:
    memory = TeachingMemory(Storage(tmp_path / "assistant.sqlite3"))
    memory.teach("what's on at the cinema", "get_news", LABELS)
    assert memory.match(variant) is not None  # the variant routes by what was taught…
    assert memory.forget(variant)  # …so forgetting it must forget that
    assert memory.match(variant) is None and memory.match("what's on at the cinema") is None


def test_forget_leaves_unrelated_entries(tmp_path: Path) -> None:
    memory = TeachingMemory(Storage(tmp_path / "assistant.sqlite3"))
    memory.teach("what's on at the cinema", "get_news", LABELS)
    memory.teach("show me my email address", "get_profile", LABELS)
    assert not memory.forget("open the pod bay doors")
    assert {e.key for e in memory.entries()} == {teach_key("what's on at the cinema"),
                                                 teach_key("show me my email address")}


def test_history_keeps_the_newest_rows_up_to_its_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage_module, "MAX_HISTORY", 50)
    storage = Storage(tmp_path / "assistant.sqlite3")
    for i in range(80):
        storage.add_history(f"request {i}", "get_news", 0.9, "get_news")
    texts = [h.text for h in storage.history(limit=1000)]
    assert len(texts) == 50 and texts[0] == "request 79" and texts[-1] == "request 30"


def test_the_default_history_cap_is_set() -> None:
    assert 1000 <= storage_module.MAX_HISTORY <= 100_000
