"""Issue 24 item 8: a hot-swapped bundle serves only if it answers the model in use's confident canary requests as
that model does (a manifest with two labels swapped passes every hash), and a bundle copied slowly is retried once
it has settled instead of being ignored after its first failed load."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from core.context import AppContext, build_context
from core.errors import BundleCanaryError, BundleNotFoundError
from core.prediction import Score, Scores
from core.settings import Overrides
from desktop.window import start
from desktop.worker import CANARY_LIMIT, EngineController, canary_texts
from tests.core.fakes import LABELS, FakeScorer

SWAP = {"get_news": "get_business_information", "get_business_information": "get_news"}


class CanaryScorer(FakeScorer):
    """Answers every shown example of the dataset with its own intent at 0.95; `swap` renames intents (a manifest
    whose labels were swapped), `moves` sends single texts elsewhere (what a retrain may do)."""

    def __init__(self, context: AppContext, model_dir: str, swap: dict[str, str] | None = None,
                 moves: dict[str, str] | None = None) -> None:
        super().__init__(model_dir=model_dir)
        assert context.dataset is not None
        self.table = {text: intent.name for intent in context.dataset.intents for language in ("es", "en")
                      for text in intent.shown_examples(language)}
        self.swap, self.moves = swap or {}, moves or {}

    def _one(self, text: str) -> Scores:
        if text not in self.table:
            return super()._one(text)
        self.calls.append(text)
        intent = self.moves.get(text) or self.swap.get(self.table[text], self.table[text])
        others = [label for label in LABELS if label != intent]
        rest = [Score(label, 0.05 / len(others)) for label in others]
        return Scores(text, (Score(intent, 0.95), *rest), False, 1.0)


class Bundles:
    """Engine factory by folder name: 'good', 'swapped', 'retrained' (two canaries moved); 'model' is whatever
    `current` says; a folder without model.pt fails like a bundle still being copied."""

    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.engines: list[CanaryScorer] = []
        self.current = "good"
        self.failures = 0

    def __call__(self, model_dir: Path, device: str) -> CanaryScorer:
        if model_dir.name == "model" and not (model_dir / "model.pt").exists():
            self.failures += 1
            raise BundleNotFoundError(f"Bundle file model.pt not found in {model_dir}")
        kind = self.current if model_dir.name == "model" else model_dir.name
        texts = canary_texts(self.context.dataset)
        swap = SWAP if kind == "swapped" else None
        moves = {texts[0]: "get_help", texts[1]: "get_help"} if kind == "retrained" else None
        engine = CanaryScorer(self.context, str(model_dir), swap, moves)
        self.engines.append(engine)
        return engine


@pytest.fixture
def controller(qtbot, context: AppContext) -> Iterator[EngineController]:  # type: ignore[no-untyped-def]
    control = EngineController(context, Bundles(context))
    with qtbot.waitSignal(control.worker.loaded, timeout=5000):
        control.load("good", "cpu")
    yield control
    control.stop()


def bundles(control: EngineController) -> Bundles:
    factory = control.worker.engine_factory
    assert isinstance(factory, Bundles)
    return factory


def test_the_canaries_are_each_intents_first_examples_in_both_languages(context: AppContext) -> None:
    texts = canary_texts(context.dataset)
    assert context.dataset is not None
    assert 8 <= len(texts) <= CANARY_LIMIT
    assert texts[:2] == [context.dataset.intents[0].shown_examples("es")[0],
                         context.dataset.intents[0].shown_examples("en")[0]]


def test_a_bundle_with_two_labels_swapped_is_refused_and_the_old_model_keeps_answering(
        qtbot, controller: EngineController) -> None:  # type: ignore[no-untyped-def]
    old = controller.worker.engine
    with qtbot.assertNotEmitted(controller.worker.loaded, wait=0), \
            qtbot.waitSignal(controller.worker.load_failed, timeout=5000) as blocker:
        controller.hot_swap("swapped", "cpu")
    folder, error = blocker.args
    assert folder == "swapped" and isinstance(error, BundleCanaryError)
    assert "news → business information" in str(error) and "business information → news" in str(error)
    assert "4 of the 10" in str(error)  # both languages' canaries of both intents moved; the others did not
    assert controller.worker.engine is old and not old.closed  # type: ignore[union-attr]
    refused = bundles(controller).engines[-1]
    assert refused.info.model_dir == "swapped" and refused.closed  # its process is not left running


def test_a_normal_retrain_that_moves_two_canaries_is_swapped_in(qtbot, controller: EngineController) -> None:  # type: ignore[no-untyped-def]
    old = controller.worker.engine
    with qtbot.waitSignal(controller.worker.loaded, timeout=5000) as blocker:
        controller.hot_swap("retrained", "cpu")
    assert blocker.args[0].model_dir == "retrained"
    assert controller.worker.engine is not old and old.closed  # type: ignore[union-attr]


def test_a_model_chosen_in_settings_is_loaded_without_the_canary_check(qtbot, controller: EngineController) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(controller.worker.loaded, timeout=5000) as blocker:
        controller.load("swapped", "cpu")  # the user's explicit choice: a deliberately relabelled model is allowed
    assert blocker.args[0].model_dir == "swapped"


def write_bundle(folder: Path, manifest: str, model: bytes | None = None) -> None:
    """Write (part of) a bundle with an mtime a coarse clock still sees as new."""
    paths = [folder / "manifest.json"]
    (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    if model is not None:
        (folder / "model.pt").write_bytes(model)
        paths.append(folder / "model.pt")
    for path in paths:
        stamp = path.stat().st_mtime_ns + 10_000_000
        os.utime(path, ns=(stamp, stamp))


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    write_bundle(folder, "{}", b"v1")
    return folder



@contextlib.contextmanager
def watched_window(qtbot, model_folder: Path) -> Iterator[tuple[EngineController, Bundles]]:  # type: ignore[no-untyped-def]
    """The window on `model_folder` with its watcher polling every 10 ms and the first bundle loaded."""
    context = build_context(overrides=Overrides(model_dir=str(model_folder)))
    factory = Bundles(context)
    try:
        win, controller = start(context, factory)  # type: ignore[arg-type]
        qtbot.addWidget(win)
        win.watcher.timer.setInterval(10)
        with qtbot.waitSignal(controller.worker.loaded, timeout=5000):
            controller.load(context.model_dir, "auto")
        yield controller, factory
        controller.stop()
    finally:
        context.close()

def test_the_watcher_refuses_a_swapped_bundle_then_takes_a_good_retrain(qtbot, model_folder: Path,  # type: ignore[no-untyped-def]
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.informativeText()) or 0)
    with watched_window(qtbot, model_folder) as (controller, factory):
        factory.current = "swapped"
        with qtbot.waitSignal(controller.worker.load_failed, timeout=5000) as blocker:
            write_bundle(model_folder, '{"labels": "swapped"}')
        assert isinstance(blocker.args[1], BundleCanaryError)
        assert controller.worker.engine is factory.engines[0] and factory.engines[1].closed
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)  # the dialog opens on the GUI thread (queued)
        assert "labels swapped" in shown[0]  # the user is told why, in the error dialog
        with qtbot.assertNotEmitted(controller.worker.load_failed, wait=200):
            pass  # a refused bundle is not tried again until it changes
        factory.current = "retrained"
        with qtbot.waitSignal(controller.worker.loaded, timeout=5000):
            write_bundle(model_folder, '{"labels": "fixed"}')
        assert controller.worker.engine is factory.engines[2] and factory.engines[0].closed


def test_a_bundle_copied_slowly_is_loaded_once_its_copy_has_settled(qtbot, model_folder: Path,  # type: ignore[no-untyped-def]
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "exec", lambda _box: 0)
    with watched_window(qtbot, model_folder) as (controller, factory):
        with qtbot.waitSignal(controller.worker.load_failed, timeout=5000):
            (model_folder / "model.pt").unlink()  # the deployer copies the manifest first, model.pt 40 s later
            write_bundle(model_folder, '{"retrained": true}')
        assert factory.failures == 1
        with qtbot.waitSignal(controller.worker.loaded, timeout=5000) as blocker:
            write_bundle(model_folder, '{"retrained": true}', b"v2")  # same manifest text: only model.pt arrives
        assert blocker.args[0].model_dir == str(model_folder) and len(factory.engines) == 2
