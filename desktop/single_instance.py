"""One window per user and data folder: a second start raises the first instead of opening another (which would
show raw ids while its own model loads and race the first for the database).

    guard = SingleInstance(paths.data_dir)
    if not guard.claim():         # another instance runs: it was asked to come forward
        return 0
    guard.activated.connect(window.summon)

QtCore only (the packaged build leaves QtNetwork out): the first instance holds a lock file for its lifetime; a
later start that cannot take it writes a "summon" file, which the first watches.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QLockFile, QObject, Signal


class SingleInstance(QObject):
    activated = Signal()  # another start asked this instance to come forward

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.lock = QLockFile(str(data_dir / "instance.lock"))
        # Never stale by age: only a lock whose process is gone (a crash) is taken over.
        self.lock.setStaleLockTime(0)
        self.summon_file = data_dir / "instance.summon"
        self.watcher: QFileSystemWatcher | None = None

    def claim(self) -> bool:
        """True: this is the only instance (it now watches for later starts). False: another one runs and was asked
        to show itself. The lock is taken atomically, so two instances started together cannot both win."""
        if not self.lock.tryLock(0):
            # Unwritable: the first instance stays where it is; this one still does not open a second window.
            with contextlib.suppress(OSError):
                self.summon_file.write_text(str(time.time()), encoding="utf-8")
            return False
        try:
            self.summon_file.write_text("", encoding="utf-8")  # the watcher needs the file to exist
        except OSError:
            return True  # no summoning possible, one instance all the same
        self.watcher = QFileSystemWatcher([str(self.summon_file)], self)
        self.watcher.fileChanged.connect(self._summoned)
        return True

    def _summoned(self, path: str) -> None:
        if self.watcher is not None and path not in self.watcher.files():
            self.watcher.addPath(path)  # some editors and platforms replace the file: watch the new one
        self.activated.emit()

    def release(self) -> None:
        self.lock.unlock()
