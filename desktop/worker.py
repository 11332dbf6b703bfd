"""The worker that owns the engine: lives on a QThread, is driven by queued signals, answers by signals.

The GUI never calls the model: it emits requests, the worker calls core (RemoteEngine, Assistant) on its
own thread and emits `result`/`failed`. Requests that arrive before any model is loaded wait in
`waiting` and run once one is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from core.assistant import Assistant
from core.context import AppContext
from core.engine_process import RemoteEngine
from core.errors import AssistantError
from core.prediction import Prediction

EngineFactory = Callable[[Path, str], RemoteEngine]


def default_engine_factory(model_dir: Path, device: str) -> RemoteEngine:
    # One intra-op thread: single short requests gain little from more, and the engine process then
    # leaves the other core to the GUI process on a 2-core machine.
    return RemoteEngine(model_dir, device=device, threads=1)


class EngineWorker(QObject):
    loaded = Signal(object)  # dict: labels, oos, device, threshold, display_names, cuda_available
    load_failed = Signal(object)  # exception; the previous model (if any) stays in use
    result = Signal(int, object)  # (request id, Turn)
    action_result = Signal(int, object)  # (request id, ActionResult) after a choice or correction
    failed = Signal(int, object)  # (request id, exception)

    def __init__(self, context: AppContext, engine_factory: EngineFactory | None = None) -> None:
        super().__init__()
        self.context = context
        self.engine_factory = engine_factory or default_engine_factory
        self.engine: RemoteEngine | None = None
        self.assistant: Assistant | None = None
        self.waiting: list[tuple[int, str]] = []  # requests that arrived before any model was loaded

    @Slot(str, str)
    def load(self, model_dir: str, device: str) -> None:
        try:
            engine = self.engine_factory(Path(model_dir), device)
            if self.context.settings.threshold is not None:
                engine.set_threshold(self.context.settings.threshold)
        except Exception as exc:
            self.load_failed.emit(exc)
            self._fail_waiting(exc)
            return
        old, self.engine = self.engine, engine
        self.assistant = Assistant(self.context, engine)
        if old:
            old.close()
        self.loaded.emit(self.info())
        waiting, self.waiting = self.waiting, []
        for request_id, text in waiting:
            self.handle(request_id, text)

    def _fail_waiting(self, exc: BaseException) -> None:
        if self.assistant is None:  # no model at all: the waiting requests cannot run
            waiting, self.waiting = self.waiting, []
            for request_id, _ in waiting:
                self.failed.emit(request_id, exc)

    def info(self) -> dict[str, Any]:
        assert self.engine is not None
        e = self.engine
        return {"labels": e.labels, "oos": e.out_of_scope_labels, "device": e.device, "threshold": e.threshold,
                "display_names": e.display_names, "cuda_available": e.cuda_available}

    def _require(self) -> Assistant:
        if self.assistant is None:
            raise AssistantError("No model is loaded; choose a model bundle in Settings.")
        return self.assistant

    @Slot(int, str)
    def handle(self, request_id: int, text: str) -> None:
        if self.assistant is None:
            self.waiting.append((request_id, text))  # runs as soon as a model is loaded
            return
        try:
            self.result.emit(request_id, self._require().handle(text))
        except Exception as exc:
            self.failed.emit(request_id, exc)

    @Slot(int, object, str, str)
    def feedback(self, request_id: int, prediction: Prediction, intent: str, kind: str) -> None:
        """kind: 'clarification' (user picked intent), 'correction', or 'none' (intent ignored)."""
        try:
            assistant = self._require()
            if kind == "none":
                assistant.none_of_these(prediction)
                return
            run = assistant.choose if kind == "clarification" else assistant.correct
            self.action_result.emit(request_id, run(prediction, intent))
        except Exception as exc:
            self.failed.emit(request_id, exc)

    @Slot(float)
    def set_threshold(self, threshold: float) -> None:
        try:
            if self.engine:
                self.engine.set_threshold(threshold)
        except Exception as exc:
            self.failed.emit(-1, exc)

    @Slot(object)
    def save_profile(self, values: dict[str, str]) -> None:
        try:
            self.context.storage.set_profile(values)
        except Exception as exc:
            self.failed.emit(-1, exc)

    @Slot()
    def shutdown(self) -> None:
        if self.engine:
            self.engine.close()
            self.engine = None


class EngineController(QObject):
    """GUI-side handle: owns the thread, forwards requests to the worker through queued signals."""

    request_load = Signal(str, str)
    request_handle = Signal(int, str)
    request_feedback = Signal(int, object, str, str)
    request_threshold = Signal(float)
    request_profile = Signal(object)

    def __init__(self, context: AppContext, engine_factory: EngineFactory | None = None) -> None:
        super().__init__()
        self.thread = QThread()
        self.thread.setObjectName("engine-worker")
        self.worker = EngineWorker(context, engine_factory)
        self.worker.moveToThread(self.thread)
        self.request_load.connect(self.worker.load)
        self.request_handle.connect(self.worker.handle)
        self.request_feedback.connect(self.worker.feedback)
        self.request_threshold.connect(self.worker.set_threshold)
        self.request_profile.connect(self.worker.save_profile)
        self.thread.start()
        self._next_id = 0

    def submit(self, text: str) -> int:
        self._next_id += 1
        self.request_handle.emit(self._next_id, text)
        return self._next_id

    def stop(self) -> None:
        """Close the engine on the worker's thread (blocking until done), then end the thread."""
        if self.thread.isRunning():
            QMetaObject.invokeMethod(self.worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection)
        self.thread.quit()
        self.thread.wait(10_000)
