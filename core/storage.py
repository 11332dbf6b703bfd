"""Local SQLite storage (WAL): history, feedback and the user's profile, with versioned migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Each migration moves the schema from version i to i + 1; never edit one that has shipped.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE history (
        id INTEGER PRIMARY KEY, text TEXT NOT NULL, intent TEXT NOT NULL, confidence REAL NOT NULL,
        action TEXT, created_at TEXT NOT NULL);
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY, text TEXT NOT NULL, predicted TEXT NOT NULL, chosen TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('clarification', 'correction', 'none')), created_at TEXT NOT NULL);
    """,
    """
    CREATE TABLE profile (field TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE INDEX history_created ON history (created_at);
    """,
)
PROFILE_FIELDS = ("name", "email", "phone", "address", "language", "preferences")


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    text: str
    intent: str
    confidence: float
    action: str | None  # intent whose action ran, None when the assistant asked to clarify
    created_at: str


@dataclass(frozen=True)
class FeedbackEntry:
    id: int
    text: str
    predicted: str
    chosen: str | None  # the intent the user picked; None for "none of these"
    kind: str  # clarification | correction | none
    created_at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Storage:
    """One connection shared by the threads of a process, serialised by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at checkpoints, never corrupt
        self._migrate()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        for version in range(self.schema_version, len(MIGRATIONS)):
            with self._transaction() as db:
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add_history(self, text: str, intent: str, confidence: float, action: str | None) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO history (text, intent, confidence, action, created_at) VALUES (?, ?, ?, ?, ?)",
                       (text, intent, confidence, action, _now()))

    def history(self, limit: int = 200) -> list[HistoryEntry]:
        with self._lock:
            rows = self._db.execute("SELECT id, text, intent, confidence, action, created_at FROM history "
                                    "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [HistoryEntry(*row) for row in rows]

    def clear_history(self) -> None:
        """Forget every stored request: the history and the feedback (corrections, choices) made on it."""
        with self._transaction() as db:
            db.execute("DELETE FROM history")
            db.execute("DELETE FROM feedback")

    def add_feedback(self, text: str, predicted: str, chosen: str | None, kind: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO feedback (text, predicted, chosen, kind, created_at) VALUES (?, ?, ?, ?, ?)",
                       (text, predicted, chosen, kind, _now()))

    def feedback(self) -> list[FeedbackEntry]:
        with self._lock:
            rows = self._db.execute("SELECT id, text, predicted, chosen, kind, created_at FROM feedback "
                                    "ORDER BY id").fetchall()
        return [FeedbackEntry(*row) for row in rows]

    def profile(self) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute("SELECT field, value FROM profile").fetchall()
        return {str(k): str(v) for k, v in rows}

    def set_profile(self, values: dict[str, str]) -> None:
        """Replace the stored profile fields; empty values delete the field."""
        unknown = sorted(set(values) - set(PROFILE_FIELDS))
        if unknown:
            raise ValueError(f"unknown profile field(s) {unknown}; known fields are {list(PROFILE_FIELDS)}")
        with self._transaction() as db:
            for key, value in values.items():
                if value.strip():
                    db.execute("INSERT OR REPLACE INTO profile (field, value) VALUES (?, ?)", (key, value.strip()))
                else:
                    db.execute("DELETE FROM profile WHERE field = ?", (key,))
