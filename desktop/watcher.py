"""Notices a new bundle in the model folder (a deployer retrained into it) so the window can hot-swap it.

Polling, not QFileSystemWatcher: `scripts.train --export` swaps the folder by renaming it, which a watch on
the old folder never reports. A stat of one file every two seconds costs nothing. A change is reported once
the manifest has stayed the same for one more tick, so a bundle still being copied is not loaded half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from core.bundle import MANIFEST

POLL_MS = 2000


def _stamp(folder: Path) -> tuple[int, int] | None:
    try:
        info = (folder / MANIFEST).stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


class BundleWatcher(QObject):
    changed = Signal(str)  # the model folder whose bundle changed

    def __init__(self, folder: Callable[[], Path], parent: QObject | None = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.folder = folder  # read live: the model in use may change in Settings
        self._watched: Path | None = None
        self._seen: tuple[int, int] | None = None  # the stamp of the bundle in use
        self._pending: tuple[int, int] | None = None  # a new stamp waiting one tick to settle
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        folder = self.folder()
        self._watched, self._seen, self._pending = folder, _stamp(folder), None
        self.timer.start()

    def check(self) -> None:
        folder = self.folder()
        stamp = _stamp(folder)
        if folder != self._watched:  # another model was chosen: watch that one from now on
            self._watched, self._seen, self._pending = folder, stamp, None
            return
        if stamp is None or stamp == self._seen:
            self._pending = None
            return
        if stamp != self._pending:
            self._pending = stamp  # changed: wait one more tick for it to settle
            return
        self._seen, self._pending = stamp, None
        self.changed.emit(str(folder))
