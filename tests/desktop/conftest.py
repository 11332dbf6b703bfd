from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import: tests never need a display

from PySide6.QtWidgets import QApplication

from core.context import AppContext, build_context
from desktop.window import MainWindow, start
from tests.core.fakes import FakeScorer


class FakeEngineFactory:
    """Gives the worker a FakeScorer; a folder named 'bad' fails like a broken bundle."""

    def __init__(self) -> None:
        self.engines: list[FakeScorer] = []

    def __call__(self, model_dir: Path, device: str) -> FakeScorer:
        from core.errors import BundleCorruptError

        if model_dir.name == "bad":
            raise BundleCorruptError(f"Bundle file model.pt in {model_dir} is corrupt")
        engine = FakeScorer(model_dir=str(model_dir))
        self.engines.append(engine)
        return engine


@pytest.fixture
def context() -> Iterator[AppContext]:
    ctx = build_context()
    yield ctx
    ctx.close()


@pytest.fixture
def factory() -> FakeEngineFactory:
    return FakeEngineFactory()


@pytest.fixture
def window(qtbot, context: AppContext, factory: FakeEngineFactory) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    win, controller = start(context, factory)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(controller.worker.loaded, timeout=5000):
        controller.request_load.emit(str(context.model_dir), "auto")
    yield win
    app = QApplication.instance()
    for translator in win.translators:  # a test that switched to Spanish must not leave it to the next one
        app.removeTranslator(translator)
    controller.stop()
