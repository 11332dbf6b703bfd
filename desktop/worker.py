"""The worker that owns the engine: lives on a QThread, is driven by queued signals, answers by signals.

The GUI never calls the model: it emits requests, the worker calls core (a Scorer, usually RemoteEngine in
its child process, and Assistant) on its own thread and emits `result`/`failed`. Requests that arrive
before any model is loaded wait in `waiting` and run once one is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from core.assistant import Assistant
from core.context import AppContext
from core.engine_process import RemoteEngine
from core.errors import AssistantError
from core.prediction import EngineInfo, Prediction, Scorer

EngineFactory = Callable[[Path, str], Scorer]
SHUTDOWN_WAIT_MS = 2000  # the window closes at once; the worker thread gets this long to finish


def remote_engine_factory(context: AppContext) -> EngineFactory:
    """Engines in a child process, with the timeouts read live from the settings and a log in the data folder."""

    def make(model_dir: Path, device: str) -> Scorer:
        # One intra-op thread: single short requests gain little from more, and the engine process then
        # leaves the other core to the GUI process on a 2-core machine.
        return RemoteEngine(model_dir, device=device, threads=1, load_timeout_s=context.settings.load_timeout_s,
                            request_timeout_s=lambda: context.settings.request_timeout_s,
                            log_path=context.paths.data_dir / "logs" / "engine.log")

    return make


class EngineWorker(QObject):
    loaded = Signal(object)  # EngineInfo of the model now in use
    load_failed = Signal(str, object)  # (model folder, exception); the previous model (if any) stays in use
    result = Signal(int, object)  # (request id, Turn)
    action_result = Signal(object)  # ActionResult after a choice or correction
    failed = Signal(int, object)  # (request id, exception); -1 when no request is concerned

    def __init__(self, context: AppContext, engine_factory: EngineFactory | None = None) -> None:
        super().__init__()
        self.context = context
        self.engine_factory = engine_factory or remote_engine_factory(context)
        self.engine: Scorer | None = None
        self.assistant: Assistant | None = None
        self.waiting: list[tuple[int, str]] = []  # requests that arrived before any model was loaded

    @Slot(str, str)
    def load(self, model_dir: str, device: str) -> None:
        try:
            engine = self.engine_factory(Path(model_dir), device)
        except Exception as exc:
            self.load_failed.emit(model_dir, exc)
            self._fail_waiting(exc)
            return
        old, self.engine = self.engine, engine
        self.assistant = Assistant(self.context, engine)
        if old:
            old.close()
        self.loaded.emit(engine.info)
        waiting, self.waiting = self.waiting, []
        for request_id, text in waiting:
            self.handle(request_id, text)

    def _fail_waiting(self, exc: BaseException) -> None:
        if self.assistant is None:  # no model at all: the waiting requests cannot run
            waiting, self.waiting = self.waiting, []
            for request_id, _ in waiting:
                self.failed.emit(request_id, exc)

    @property
    def info(self) -> EngineInfo | None:
        return self.engine.info if self.engine else None

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

    @Slot(object, str, str)
    def feedback(self, prediction: Prediction, intent: str, kind: str) -> None:
        """kind: 'clarification' (user picked intent), 'correction', or 'none' (intent ignored)."""
        try:
            assistant = self._require()
            if kind == "none":
                assistant.none_of_these(prediction)
                return
            run = assistant.choose if kind == "clarification" else assistant.correct
            self.action_result.emit(run(prediction, intent))
        except Exception as exc:
            self.failed.emit(-1, exc)

    @Slot(object)
    def undo(self, prediction: Prediction) -> None:
        """Take back the last choice or correction made on `prediction` (and what it taught)."""
        try:
            self._require().undo(prediction)
        except Exception as exc:
            self.failed.emit(-1, exc)

    @Slot(object)
    def save_profile(self, values: dict[str, str]) -> None:
        try:
            self.context.storage.set_profile(values)
        except Exception as exc:
            self.failed.emit(-1, exc)

    def abort(self) -> None:
        """From the GUI thread: stop a child engine now, so a request blocked on it returns at once."""
        abort = getattr(self.engine, "abort", None)
        if callable(abort):
            abort()

    @Slot()
    def shutdown(self) -> None:
        if self.engine:
            self.engine.close()
            self.engine = None


class EngineController(QObject):
    """GUI-side handle: owns the thread, forwards requests to the worker through queued signals."""

    request_load = Signal(str, str)
    request_handle = Signal(int, str)
    request_feedback = Signal(object, str, str)
    request_profile = Signal(object)
    request_undo = Signal(object)

    def __init__(self, context: AppContext, engine_factory: EngineFactory | None = None) -> None:
        super().__init__()
        self.worker_thread = QThread()  # not `thread`: that would shadow QObject.thread()
        self.worker_thread.setObjectName("engine-worker")
        self.worker = EngineWorker(context, engine_factory)
        self.worker.moveToThread(self.worker_thread)
        self.request_load.connect(self.worker.load)
        self.request_handle.connect(self.worker.handle)
        self.request_feedback.connect(self.worker.feedback)
        self.request_profile.connect(self.worker.save_profile)
        self.request_undo.connect(self.worker.undo)
        self.worker_thread.start()
        self._next_id = 0

    def load(self, model_dir: Path | str, device: str) -> None:
        self.request_load.emit(str(model_dir), device)

    def submit(self, text: str) -> int:
        self._next_id += 1
        self.request_handle.emit(self._next_id, text)
        return self._next_id

    @property
    def latest_id(self) -> int:
        return self._next_id

    def stop(self) -> None:
        """Kill a hung engine first (so the worker is free), close it on the worker's thread, end the thread;
        all within about SHUTDOWN_WAIT_MS even when the engine never answers."""
        if not self.worker_thread.isRunning():
            return
        self.worker.abort()
        QMetaObject.invokeMethod(self.worker, "shutdown", Qt.ConnectionType.QueuedConnection)
        self.worker_thread.quit()
        if not self.worker_thread.wait(SHUTDOWN_WAIT_MS):
            self.worker_thread.terminate()  # last resort: the process is exiting anyway
            self.worker_thread.wait(SHUTDOWN_WAIT_MS)
