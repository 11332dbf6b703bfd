"""`--self-test`: the real UI path on a fixed battery; one JSON line; exit 0 only if all routed right.

Times are seconds from process start (the first line of desktop/__main__.py). User data goes to a
temporary folder so a self-test never touches the user's history or settings.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QElapsedTimer, QTimer

from core.assistant import Turn
from core.paths import HOME_ENV
from core.settings import Overrides

# (request, the intent whose action must run, or None when the assistant must ask instead)
BATTERY: tuple[tuple[str, str | None], ...] = (
    ("¿qué noticias hay de tecnología?", "get_news"),
    ("what are your opening hours?", "get_business_information"),
    ("muéstrame mi perfil", "get_profile"),
    ("what can you do?", "get_help"),
    ("pon una alarma a las siete", None),
)
TIMEOUT_MS = 120_000


class StallMeter:
    """Largest gap between ticks of a 5 ms timer: how long the event loop was blocked."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last = 0
        self.worst = 0
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        now = self.clock.elapsed()
        self.worst = max(self.worst, now - self.last - 5)
        self.last = now


@dataclass
class Report:
    started: float
    window_shown_s: float = 0.0
    model_ready_s: float = 0.0
    first_answer_s: float = 0.0
    asked_at: float = 0.0  # perf_counter when the current request was submitted
    answer_ms: list[float] = field(default_factory=list)  # submit -> answer shown, for requests after the first
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    def since_start(self) -> float:
        return round(time.perf_counter() - self.started, 3)


def run_self_test(started: float, overrides: Overrides) -> int:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ[HOME_ENV] = tempfile.mkdtemp(prefix="assistant-self-test-")
    from core.context import build_context
    from desktop.startup import launch, make_application
    from desktop.window import MainWindow
    from desktop.worker import EngineController

    app = make_application()
    context = build_context(overrides=overrides)
    report = Report(started)
    queue = list(BATTERY)

    def next_request() -> None:
        if queue:  # typed into the input and submitted as Enter does; the first one while the model still loads
            window.panel.input.setText(queue[0][0])
            report.asked_at = time.perf_counter()
            window.panel.submit()
        else:
            app.quit()

    def on_loaded(_info: object) -> None:
        report.model_ready_s = report.model_ready_s or report.since_start()

    def on_answer(turn: Turn) -> None:
        if report.first_answer_s:  # the first answer also waited for the model: it is first_answer_s instead
            report.answer_ms.append(round((time.perf_counter() - report.asked_at) * 1000, 1))
        report.first_answer_s = report.first_answer_s or report.since_start()
        text, expected = queue.pop(0)
        routed = turn.intent or None  # only an action counts (a decline or a clarification routes nothing)
        report.results.append({"text": text, "expected": expected, "routed": routed,
                               "confidence": round(turn.prediction.confidence, 3), "ok": routed == expected})
        next_request()

    def on_error(exc: BaseException) -> None:
        report.error = f"{type(exc).__name__}: {exc}"
        app.quit()

    def connect(window: MainWindow, controller: EngineController) -> None:
        app.processEvents()
        report.window_shown_s = report.since_start()
        controller.worker.loaded.connect(on_loaded)
        window.panel.answered.connect(on_answer)
        window.panel.error_raised.disconnect()
        window.panel.error_raised.connect(on_error)

    QTimer.singleShot(TIMEOUT_MS, lambda: on_error(TimeoutError("self-test timed out")))
    window, _controller = launch(context, before_load=connect)
    meter = StallMeter()
    next_request()
    app.exec()
    stall = meter.worst
    closing = time.perf_counter()
    window.close()
    context.close()
    ok = not report.error and len(report.results) == len(BATTERY) and all(r["ok"] for r in report.results)
    print(json.dumps({
        "ok": ok, "window_shown_s": report.window_shown_s, "model_ready_s": report.model_ready_s,
        "first_answer_s": report.first_answer_s,
        "answer_ms_p50": statistics.median(report.answer_ms) if report.answer_ms else None,
        "answer_ms": report.answer_ms, "max_event_loop_stall_ms": stall,
        "shutdown_ms": round((time.perf_counter() - closing) * 1000), "results": report.results,
        "error": report.error,
    }, ensure_ascii=False))
    return 0 if ok else 1
