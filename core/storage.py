"""Local SQLite storage (WAL): history, feedback and the user's profile, with versioned migrations."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import StorageError

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
    """
    CREATE TABLE taught (
        key TEXT PRIMARY KEY, text TEXT NOT NULL, intent TEXT NOT NULL, created_at TEXT NOT NULL);
    """,
)
PROFILE_FIELDS = ("name", "email", "phone", "address", "language", "preferences")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]{5,}[0-9]")
MAX_PROFILE_VALUE = 500
MAX_HISTORY = 10_000  # history rows kept; the oldest beyond this are dropped as new ones come


def invalid_profile_fields(values: dict[str, str]) -> list[str]:
    """The fields whose non-empty value is not plausible: an email needs name@domain.tld, a phone 7+ digits."""
    bad = [f for f, v in values.items() if len(v) > MAX_PROFILE_VALUE]
    email, phone = values.get("email", "").strip(), values.get("phone", "").strip()
    if email and not _EMAIL.fullmatch(email):
        bad.append("email")
    if phone and (not _PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 7):
        bad.append("phone")
    return sorted(set(bad))


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


@dataclass(frozen=True)
class TaughtEntry:
    key: str  # the normalised request (core.memory.teach_key): one entry per key
    text: str  # the request as the user typed it (the latest one taught with this key)
    intent: str
    created_at: str


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def check_regular(path: Path) -> bool:
    """False when `path` does not exist; raises OSError when it is not a regular file (a folder, a FIFO, a
    device: opening a FIFO would block forever). A link is judged by the file it names."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(mode):
        raise OSError(f"{path} is not a regular file")
    return True


def _create_private(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it (SQLite gives its -wal/-shm files the same mode).
    O_NONBLOCK and the fstat check: a FIFO or device put in its place is refused at once, never waited on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NONBLOCK, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
    finally:
        os.close(fd)
    if path.stat().st_mode & 0o077:  # made by an older version, readable by others: tighten it
        os.chmod(path, 0o600)


class Storage:
    """One connection shared by the threads of a process, serialised by a lock.

    Start-up never fails on the database: a corrupt file is moved aside (kept, named with the date) and a
    fresh one created (`recovered_from` says where the old one went); a folder that cannot be written gives
    an in-memory database for this run (`read_only_reason` says why). The window shows either as a dialog.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.recovered_from: Path | None = None  # where a corrupt database was moved
        self.read_only_reason = ""  # why nothing is kept on disk this run ("" when all is well)
        # Commits made through this object: SQLite's data_version changes only for other connections' commits,
        # so caches of the tables (TeachingMemory) key on both.
        self.writes = 0
        try:
            try:
                self._db = self._open_when_free(path)
            except sqlite3.DatabaseError as exc:
                if not (_is_corrupt(exc) and path.exists()):
                    raise
                self.recovered_from = self._move_aside(path)
                self._db = self._open(path)
        except (OSError, sqlite3.Error) as exc:  # read-only or full folder, a locked file, no permission
            self.read_only_reason = f"{path} cannot be opened for writing ({exc})"
            self._db = self._open_read_only(path) or self._open(None)

    def _open_read_only(self, path: Path) -> sqlite3.Connection | None:
        """The existing database opened read-only (a read-only folder or file): what was taught and the profile
        still apply, and every write is a StorageError. None when it cannot be read either."""
        try:
            if not check_regular(path):
                return None
            for flags in ("mode=ro", "immutable=1"):  # immutable: a WAL file whose -shm cannot be created
                try:
                    db = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, check_same_thread=False,
                                         isolation_level=None)
                    if int(db.execute("PRAGMA user_version").fetchone()[0]) != len(MIGRATIONS):
                        db.close()
                        return None  # an older schema cannot be migrated read-only
                    db.execute("SELECT count(*) FROM history").fetchone()
                    return db
                except sqlite3.Error:
                    continue
        except OSError:
            pass
        return None

    def _open_when_free(self, path: Path, attempts: int = 50) -> sqlite3.Connection:
        """Open, waiting out another instance that holds the file while it starts (switching to WAL takes an
        exclusive lock and answers "locked" at once instead of waiting for the busy timeout)."""
        for _ in range(attempts - 1):
            try:
                return self._open(path)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.1)
        return self._open(path)

    def _open(self, path: Path | None) -> sqlite3.Connection:
        if path is None:
            db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            _create_private(path)
            db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at checkpoints, never corrupt
            self._db = db
            self._migrate()
            db.execute("SELECT count(*) FROM history").fetchone()  # a truncated file fails here, not later
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _move_aside(path: Path) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
        path.replace(target)
        for suffix in ("-wal", "-shm"):  # the old journal belongs to the old file
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.replace(target.with_name(target.name + suffix))
        return target

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StorageError(f"The local database {self.path} cannot be written ({exc}).") from exc
            try:
                yield self._db
                self._db.execute("COMMIT")
                self.writes += 1
            except BaseException as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):  # disk full, read-only since start-up
                    raise StorageError(f"The local database {self.path} cannot be written ({exc}); free some "
                                       "space or check the folder's permissions.") from exc
                raise

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        """Each step reads the version inside its own write transaction, so several instances starting at once on
        a fresh database apply each migration exactly once (the others wait, then see the new version)."""
        while True:
            with self._transaction() as db:
                version = int(db.execute("PRAGMA user_version").fetchone()[0])
                if version >= len(MIGRATIONS):
                    return
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add_history(self, text: str, intent: str, confidence: float, action: str | None) -> None:
        with self._transaction() as db:
            row = db.execute("INSERT INTO history (text, intent, confidence, action, created_at) "
                             "VALUES (?, ?, ?, ?, ?)", (text, intent, confidence, action, _now())).lastrowid
            # Ids only grow, so this keeps at most MAX_HISTORY rows, dropping the oldest (one indexed delete).
            db.execute("DELETE FROM history WHERE id <= ?", ((row or 0) - MAX_HISTORY,))

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

    def delete_last_feedback(self, text: str) -> None:
        """Undo: drop the newest feedback row for `text` (a choice or correction taken back)."""
        with self._transaction() as db:
            db.execute("DELETE FROM feedback WHERE id = (SELECT max(id) FROM feedback WHERE text = ?)", (text,))

    def teach(self, key: str, text: str, intent: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO taught (key, text, intent, created_at) VALUES (?, ?, ?, ?)",
                       (key, text, intent, _now()))

    def forget(self, key: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM taught WHERE key = ?", (key,)).rowcount > 0

    def data_version(self) -> int:
        """Changes when another connection (the CLI, another instance) commits: cheap to poll."""
        with self._lock:
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def taught(self, limit: int = -1) -> list[TaughtEntry]:
        """Newest first; at most `limit` entries (-1: all), so a table grown by another process stays cheap."""
        with self._lock:
            rows = self._db.execute("SELECT key, text, intent, created_at FROM taught ORDER BY created_at DESC, key "
                                    "LIMIT ?", (limit,))
            return [TaughtEntry(*row) for row in rows.fetchall()]

    def trim_taught(self, keep: int) -> int:
        """Drop all but the newest `keep` taught entries in one statement; the number dropped."""
        with self._transaction() as db:
            return db.execute("DELETE FROM taught WHERE key NOT IN (SELECT key FROM taught "
                              "ORDER BY created_at DESC, key LIMIT ?)", (keep,)).rowcount

    def profile(self) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute("SELECT field, value FROM profile").fetchall()
        return {str(k): str(v) for k, v in rows}

    def set_profile(self, values: dict[str, str]) -> None:
        """Replace the stored profile fields; empty values delete the field."""
        unknown = sorted(set(values) - set(PROFILE_FIELDS))
        if unknown:
            raise ValueError(f"unknown profile field(s) {unknown}; known fields are {list(PROFILE_FIELDS)}")
        invalid = invalid_profile_fields(values)
        if invalid:
            raise ValueError(f"profile field(s) {invalid} are not valid (an email like name@example.org, a phone "
                             "number of at least 7 digits)")
        with self._transaction() as db:
            for key, value in values.items():
                if value.strip():
                    db.execute("INSERT OR REPLACE INTO profile (field, value) VALUES (?, ?)", (key, value.strip()))
                else:
                    db.execute("DELETE FROM profile WHERE field = ?", (key,))
