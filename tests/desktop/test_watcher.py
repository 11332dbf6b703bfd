"""A bundle retrained into the model folder is noticed and hot-swapped; a half-written one is not loaded."""

from __future__ import annotations

import os
from pathlib import Path

from core.context import build_context
from core.settings import Overrides
from desktop.watcher import BundleWatcher
from desktop.window import start


def touch_manifest(folder: Path, text: str) -> None:
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    stamp = (folder / "manifest.json").stat().st_mtime_ns + 10_000_000  # a coarse clock still sees a change
    os.utime(folder / "manifest.json", ns=(stamp, stamp))


def test_a_changed_bundle_is_reported_once_it_settles(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    touch_manifest(tmp_path, "{}")
    watcher = BundleWatcher(lambda: tmp_path, interval_ms=10)
    watcher.start()
    with qtbot.assertNotEmitted(watcher.changed, wait=100):
        pass  # nothing changed: nothing reported
    with qtbot.waitSignal(watcher.changed, timeout=2000) as blocker:
        touch_manifest(tmp_path, '{"new": 1}')
    assert blocker.args == [str(tmp_path)]
    with qtbot.assertNotEmitted(watcher.changed, wait=100):
        pass  # reported once, not on every tick
    watcher.timer.stop()


def test_the_window_hot_swaps_a_new_bundle_in_its_model_folder(qtbot, tmp_path: Path, factory) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "model"
    folder.mkdir()
    touch_manifest(folder, "{}")
    context = build_context(overrides=Overrides(model_dir=str(folder)))
    try:
        win, controller = start(context, factory)
        qtbot.addWidget(win)
        win.watcher.timer.setInterval(10)
        with qtbot.waitSignal(controller.worker.loaded, timeout=5000):
            controller.load(context.model_dir, "auto")
        assert len(factory.engines) == 1
        with qtbot.waitSignal(controller.worker.loaded, timeout=5000):  # loaded (and checked) again
            touch_manifest(folder, '{"retrained": true}')
        assert len(factory.engines) == 2
        assert factory.engines[0].closed  # the old engine is closed only once the new one loaded
        controller.stop()
    finally:
        context.close()
