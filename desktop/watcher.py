"""Notices a new bundle in the model folder (a deployer retrained into it) so the window can hot-swap it.

Polling, not QFileSystemWatcher: `scripts.train --export` swaps the folder by renaming it, which a watch on
the old folder never reports. A stat of the folder's few files every two seconds costs nothing. A change is
reported once the folder (the manifest and every file beside it) has stayed the same for one more tick, so a
bundle still being copied is not loaded half-way. A reported bundle that then fails to load (copied slowly, a
check that failed once) is reported again once it has settled, up to MAX_RETRIES times, and any later change
is always reported: a settled bundle is never ignored for good. A bundle refused by the canary check
(BundleCanaryError: it answers like a different model) is not retried until it changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from core.bundle import MANIFEST
from core.errors import BundleCanaryError
from core.prediction import EngineInfo

POLL_MS = 2000
MAX_RETRIES = 3  # a settled bundle that failed to load is tried again this many times before waiting for a change
MAX_ENTRIES = 64  # a bundle holds 3-5 files: a folder with many more is stamped by its first entries only

Stamp = tuple[tuple[str, int, int], ...]  # (name, mtime_ns, size) of the manifest, then of each entry by name


def _stamp(folder: Path) -> Stamp | None:
    """None while there is no manifest (mid-swap or not a bundle). The other entries count too: a deployer that
    writes the manifest first and model.pt for 40 s after must not be reported (and loaded) once only."""
    try:
        info = (folder / MANIFEST).stat()
        with os.scandir(folder) as entries:
            names = sorted(entry.name for _, entry in zip(range(MAX_ENTRIES), entries, strict=False))
        stamps = [(MANIFEST, info.st_mtime_ns, info.st_size)]
        for name in names:
            if name != MANIFEST:
                entry = (folder / name).stat()
                stamps.append((name, entry.st_mtime_ns, entry.st_size))
    except OSError:  # the folder is being renamed or a file replaced: look again next tick
        return None
    return tuple(stamps)


class BundleWatcher(QObject):
    changed = Signal(str)  # the model folder whose bundle changed

    def __init__(self, folder: Callable[[], Path], parent: QObject | None = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.folder = folder  # read live: the model in use may change in Settings
        self._watched: Path | None = None
        self._seen: Stamp | None = None  # the stamp of the bundle in use (or last reported)
        self._pending: Stamp | None = None  # a new stamp waiting one tick to settle
        self._reported: Stamp | None = None  # the stamp last reported, whose failures `_failures` counts
        self._failures = 0  # failed loads of `_reported`
        self._in_flight: str | None = None  # the folder reported and not yet loaded or failed
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
            self._watched, self._seen, self._pending, self._in_flight = folder, stamp, None, None
            return
        if stamp is None or stamp == self._seen:
            self._pending = None
            return
        if stamp != self._pending:
            self._pending = stamp  # changed: wait one more tick for it to settle
            return
        if stamp != self._reported:  # a new bundle: its own retries
            self._reported, self._failures = stamp, 0
        self._seen, self._pending, self._in_flight = stamp, None, str(folder)
        self.changed.emit(str(folder))

    @Slot(str, object)
    def swap_failed(self, model_dir: str, exc: object) -> None:
        """The worker could not load a bundle (connected to EngineWorker.load_failed). When it is the one this
        watcher reported, the settled folder is reported again after one more quiet tick, MAX_RETRIES times."""
        if model_dir != self._in_flight:  # a model chosen in Settings: not a hot swap
            return
        self._in_flight = None
        if isinstance(exc, BundleCanaryError):  # complete but answers wrongly: a retry would refuse it again
            return
        self._failures += 1
        if self._failures <= MAX_RETRIES:
            self._seen = None  # the unchanged stamp now looks new: pending next tick, reported the tick after

    @Slot(object)
    def swap_loaded(self, info: object) -> None:
        """A bundle loaded (connected to EngineWorker.loaded): a later failure of that folder is not ours."""
        if isinstance(info, EngineInfo) and info.model_dir == self._in_flight:
            self._in_flight = None
