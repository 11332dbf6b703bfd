"""A bundle retrained into the model folder is noticed and hot-swapped; a half-written one is not loaded, and one
that failed to load (copied slowly) is reported again once it settles."""

from __future__ import annotations

import os
from pathlib import Path

from core.context import build_context
from core.errors import BundleCanaryError, BundleNotFoundError
from core.settings import Overrides
from desktop.watcher import MAX_RETRIES, BundleWatcher
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


def touch_model(folder: Path, data: bytes) -> None:
    (folder / "model.pt").write_bytes(data)
    stamp = (folder / "model.pt").stat().st_mtime_ns + 10_000_000
    os.utime(folder / "model.pt", ns=(stamp, stamp))


def test_a_model_still_being_copied_after_its_manifest_is_reported_again_once_it_settles(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    touch_manifest(tmp_path, "{}")
    watcher = BundleWatcher(lambda: tmp_path, interval_ms=10)
    watcher.start()
    with qtbot.waitSignal(watcher.changed, timeout=2000):
        touch_manifest(tmp_path, '{"new": 1}')  # the deployer copies the manifest first ...
        touch_model(tmp_path, b"half")
    with qtbot.waitSignal(watcher.changed, timeout=2000):
        touch_model(tmp_path, b"half and the rest")  # ... and model.pt for a while after: the manifest is unchanged
    watcher.timer.stop()


def test_a_settled_bundle_that_failed_to_load_is_retried_a_few_times(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    touch_manifest(tmp_path, "{}")
    watcher = BundleWatcher(lambda: tmp_path, interval_ms=10)
    watcher.start()
    with qtbot.waitSignal(watcher.changed, timeout=2000):
        touch_manifest(tmp_path, '{"new": 1}')
    for _ in range(MAX_RETRIES):  # e.g. a check that timed out once while the disk was busy
        with qtbot.waitSignal(watcher.changed, timeout=2000) as blocker:
            watcher.swap_failed(str(tmp_path), BundleNotFoundError("model.pt not found"))
        assert blocker.args == [str(tmp_path)]
    with qtbot.assertNotEmitted(watcher.changed, wait=200):
        watcher.swap_failed(str(tmp_path), BundleNotFoundError("model.pt not found"))  # then it waits for a change
    with qtbot.waitSignal(watcher.changed, timeout=2000):
        touch_manifest(tmp_path, '{"new": 2}')  # and a change is always reported again
    watcher.timer.stop()


def test_a_canary_refusal_or_another_folders_failure_is_not_retried(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    touch_manifest(tmp_path, "{}")
    watcher = BundleWatcher(lambda: tmp_path, interval_ms=10)
    watcher.start()
    with qtbot.waitSignal(watcher.changed, timeout=2000):
        touch_manifest(tmp_path, '{"new": 1}')
    with qtbot.assertNotEmitted(watcher.changed, wait=200):
        watcher.swap_failed(str(tmp_path / "other"), BundleNotFoundError("x"))  # a model chosen in Settings
        watcher.swap_failed(str(tmp_path), BundleCanaryError("labels swapped?"))  # the same bundle fails the same
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
