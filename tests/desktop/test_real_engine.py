"""The real path: the child engine process on the tiny bundle, with the event loop watched for stalls."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QTimer

from core.context import AppContext
from desktop.window import start

MAX_STALL_MS = 50


@pytest.mark.slow
def test_loading_and_classifying_never_stall_the_event_loop(qtbot, context: AppContext, tiny_bundle: Path) -> None:  # type: ignore[no-untyped-def]
    clock, ticks = QElapsedTimer(), []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(clock.elapsed()))
    clock.start()
    timer.start()
    window, controller = start(context)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(controller.worker.loaded, timeout=60_000):
        controller.request_load.emit(str(tiny_bundle), "cpu")
    for text in ("news today", "ayuda", "x " * 300):
        with qtbot.waitSignal(window.panel.answered, timeout=30_000):
            window.panel.ask(text)
    timer.stop()
    controller.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(gaps) > 20
    assert max(gaps) - 5 <= MAX_STALL_MS, f"event loop stalled {max(gaps) - 5} ms"
