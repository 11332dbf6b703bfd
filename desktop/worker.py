"""The worker that owns the engine: lives on a QThread, is driven by queued signals, answers by signals.

The GUI never calls the model: it emits requests, the worker calls core (a Scorer, usually RemoteEngine in
its child process, and Assistant) on its own thread and emits `result`/`failed`. Requests that arrive
before any model is loaded wait in `waiting` and run once one is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from core.actions import ActionRegistry, ActionServices
from core.assistant import Assistant
from core.context import AppContext
from core.conversation import decline, small_talk, small_talk_reply
from core.engine_process import RemoteEngine
from core.errors import AssistantError, BundleCanaryError, DatasetError
from core.intents import IntentDataset, load_dataset
from core.memory import TeachingMemory
from core.prediction import EngineInfo, Prediction, Scorer, Scores

EngineFactory = Callable[[Path, str], Scorer]
SHUTDOWN_WAIT_MS = 2000  # the window closes at once; the worker thread gets this long to finish
REACH_EXAMPLES = 3  # example phrases per intent and language scored after a load to bound the threshold slider
REACH_DELAY_MS = 500  # that scoring (~130 ms for the 5-intent bundle on 2 cores) waits this long after the load
# A hot-swapped bundle must answer the requests the model in use answers confidently as it does (a manifest with
# two labels swapped passes every hash). A retrain may move one or two; two swapped labels move both languages'
# canaries of both intents (4 of the 10 of the 5-intent bundle), so "most" would let that through.
CANARY_LIMIT = 12  # canary requests: each intent's first shown example in Spanish then English, in file order
CANARY_CONFIDENT = 0.9  # only canaries the model in use answers at least this confidently count
CANARY_MIN_MOVED = 3  # refuse when at least this many confident canaries moved to another intent ...
CANARY_MOVED_SHARE = 0.25  # ... and at least this share of them


def remote_engine_factory(context: AppContext) -> EngineFactory:
    """Engines in a child process, with the timeouts read live from the settings and a log in the data folder."""

    def make(model_dir: Path, device: str) -> Scorer:
        # One intra-op thread: single short requests gain little from more, and the engine process then
        # leaves the other core to the GUI process on a 2-core machine.
        return RemoteEngine(model_dir, device=device, threads=1, load_timeout_s=context.settings.load_timeout_s,
                            request_timeout_s=lambda: context.settings.request_timeout_s,
                            log_path=context.paths.data_dir / "logs" / "engine.log")

    return make


def canary_texts(dataset: IntentDataset | None) -> list[str]:
    """The requests a hot-swapped bundle is checked on: each intent's first shown example per language."""
    if dataset is None:
        return []
    texts = [examples[0] for intent in dataset.intents for language in ("es", "en")
             if (examples := intent.shown_examples(language))]
    return list(dict.fromkeys(texts))[:CANARY_LIMIT]


def _plain(intent: str) -> str:
    return intent.removeprefix("get_").replace("_", " ")


def check_canaries(current: list[Scores], new: list[Scores], model_dir: str) -> None:
    """Raise BundleCanaryError when the new bundle sends too many of the canaries the model in use answers
    confidently (top confidence >= CANARY_CONFIDENT) to another intent; one or two moved is a normal retrain."""
    confident = [(old, fresh) for old, fresh in zip(current, new, strict=True)
                 if old.ranking and old.ranking[0].confidence >= CANARY_CONFIDENT]
    moved = [(old.ranking[0].intent, fresh.ranking[0].intent if fresh.ranking else "nothing")
             for old, fresh in confident if not fresh.ranking or fresh.ranking[0].intent != old.ranking[0].intent]
    if len(moved) < max(CANARY_MIN_MOVED, CANARY_MOVED_SHARE * len(confident)):
        return
    pairs = ", ".join(f"{_plain(a)} → {_plain(b)}" for a, b in dict.fromkeys(moved))
    raise BundleCanaryError(
        f"The new model in {model_dir} was not loaded: {len(moved)} of the {len(confident)} test requests the "
        f"model in use answers confidently now go to another intent ({pairs}): labels swapped in manifest.json? "
        "Expected a retrained bundle to answer most of them as before. Re-export the bundle (scripts.train "
        "--export) and copy it again, or choose it in Settings to use it anyway; the model in use keeps answering.")


def refresh_answers(context: AppContext) -> None:
    """Re-read intents.yaml and re-resolve the actions, so that a swapped bundle's new intent is answered from
    the file (no restart); an unreadable file keeps the answers in use."""
    try:
        dataset = load_dataset(context.paths.resources / "intents.yaml")
    except DatasetError:
        return
    services = ActionServices(store=context.store, resources=context.paths.resources, storage=context.storage,
                              dataset=dataset, cache_dir=context.paths.data_dir / "cache")
    context.actions = ActionRegistry.discover(services)
    context.dataset = dataset


class EngineWorker(QObject):
    loaded = Signal(object)  # EngineInfo of the model now in use
    load_failed = Signal(str, object)  # (model folder, exception); the previous model (if any) stays in use
    result = Signal(int, object)  # (request id, Turn)
    action_result = Signal(object)  # ActionResult after a choice or correction
    failed = Signal(int, object)  # (request id, exception); -1 when no request is concerned
    forgotten = Signal(int)  # how many taught requests were forgotten (Settings -> Remove / Clear all)
    history_cleared = Signal()
    preview = Signal(int, object)  # (preview id, Prediction): what a request being typed would route to
    reach = Signal(float, str)  # (confidence, intent): the weakest intent's usual confidence (threshold bound)

    def __init__(self, context: AppContext, engine_factory: EngineFactory | None = None) -> None:
        super().__init__()
        self.context = context
        self.engine_factory = engine_factory or remote_engine_factory(context)
        self.engine: Scorer | None = None
        self.assistant: Assistant | None = None
        self.waiting: list[tuple[int, str]] = []  # requests that arrived before any model was loaded
        self.latest_preview = 0  # set from the GUI thread (an int: atomic): older previews are skipped unscored

    @Slot(str, str)
    def load(self, model_dir: str, device: str) -> None:
        try:
            engine = self.engine_factory(Path(model_dir), device)
        except Exception as exc:  # the model in use stays, and so do its answers
            self.load_failed.emit(model_dir, exc)
            self._fail_waiting(exc)
            return
        self._install(engine)

    @Slot(str, str)
    def hot_swap(self, model_dir: str, device: str) -> None:
        """A bundle the watcher found in the model folder: loaded as `load` does, but it serves only once it
        answers the canary requests the model in use answers confidently as that model does (check_canaries);
        otherwise it is closed, load_failed reports why and the model in use keeps answering."""
        current = self.engine
        if current is None:  # nothing to compare with
            self.load(model_dir, device)
            return
        try:
            engine = self.engine_factory(Path(model_dir), device)
        except Exception as exc:
            self.load_failed.emit(model_dir, exc)
            return
        texts = canary_texts(self.context.dataset)
        try:
            before = current.score(texts) if texts else []
        except Exception:  # the model in use cannot answer: there is nothing to compare, and it is broken anyway
            before = []
        try:
            if before:
                check_canaries(before, engine.score(texts), model_dir)
        except Exception as exc:
            engine.close()
            self.load_failed.emit(model_dir, exc)
            return
        self._install(engine)

    def _install(self, engine: Scorer) -> None:
        """Serve `engine` from now on: close the one in use, answer the requests that waited."""
        if self.engine is not None:
            refresh_answers(self.context)  # a swapped bundle may know intents the old one did not (intents.yaml)
        old, self.engine = self.engine, engine
        self.assistant = Assistant(self.context, engine)
        if old:
            old.close()
        self.loaded.emit(engine.info)
        waiting, self.waiting = self.waiting, []
        for request_id, text in waiting:
            self.handle(request_id, text)
        QTimer.singleShot(REACH_DELAY_MS, self.measure_reach)  # the first requests after a load answer first

    @Slot()
    def measure_reach(self) -> None:
        """How high the model's confidence usually gets: for each intent, the median confidence of its own example
        phrases that it routes to it; the lowest of these bounds the threshold slider (above it, that intent's
        usual request would always ask). Nothing is emitted when no example routes to its intent."""
        if self.engine is None or self.context.dataset is None:
            return
        known = set(self.engine.info.in_scope_labels)
        texts: list[tuple[str, str]] = [(intent.name, example) for intent in self.context.dataset.intents
                                        if intent.name in known for language in ("es", "en")
                                        for example in intent.shown_examples(language)[:REACH_EXAMPLES]]
        try:
            scores = self.engine.score([text for _, text in texts]) if texts else []
        except Exception:  # a hint for the slider only; the answers report engine failures
            return
        own: dict[str, list[float]] = {}
        for (intent, _), score in zip(texts, scores, strict=True):
            if score.ranking and score.ranking[0].intent == intent:
                own.setdefault(intent, []).append(score.ranking[0].confidence)
        medians = {intent: sorted(values)[len(values) // 2] for intent, values in own.items()}
        if medians:
            weakest = min(medians, key=lambda name: medians[name])
            self.reach.emit(medians[weakest], weakest)

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

    @Slot(object, str, str)
    def reanswer(self, prediction: Prediction, intent: str, kind: str) -> None:
        """The answer on show again, in the window's language now (after a switch); nothing is recorded."""
        try:
            assistant = self._require()
            if intent:
                result = assistant.run_action(intent, prediction)
            elif kind == "decline":
                result = decline(self.context.dataset, assistant.language, unsure=not prediction.out_of_scope)
            elif kind == "chat":
                result = small_talk_reply(small_talk(prediction.text) or "greeting", assistant.language)
            else:
                return
            self.action_result.emit(result)
        except Exception as exc:
            self.failed.emit(-1, exc)

    @Slot(object)
    def forget(self, texts: list[str]) -> None:
        """Forget taught requests here, on the thread that answers, through the same Storage: its write counter
        makes the answering TeachingMemory re-read the table before the next request."""
        memory = self.assistant.memory if self.assistant else TeachingMemory(self.context.storage)
        try:
            self.forgotten.emit(sum(memory.forget(text) for text in texts))
        except Exception as exc:
            self.failed.emit(-1, exc)

    @Slot()
    def clear_history(self) -> None:
        try:
            self.context.storage.clear_history()
            self.history_cleared.emit()
        except Exception as exc:
            self.failed.emit(-1, exc)

    @Slot(int, str)
    def score_preview(self, preview_id: int, text: str) -> None:
        """What `text` would route to (the decision with what was taught applied); no action runs, nothing is
        recorded. A failure is silent: the preview is a hint, Enter reports errors."""
        if self.assistant is None or self.engine is None or preview_id < self.latest_preview:
            return  # no model yet, or the user typed on: a stale preview is dropped before scoring
        try:
            prediction, _learned = self.assistant.classify(self.engine.score([text])[0])
        except Exception:
            return
        self.preview.emit(preview_id, prediction)

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
    request_hot_swap = Signal(str, str)  # a bundle the watcher found: checked on canaries first
    request_handle = Signal(int, str)
    request_feedback = Signal(object, str, str)
    request_profile = Signal(object)
    request_undo = Signal(object)
    request_forget = Signal(object)  # list of request texts
    request_reanswer = Signal(object, str, str)  # (prediction, intent shown or "", turn kind)
    request_clear_history = Signal()
    request_preview = Signal(int, str)

    def __init__(self, context: AppContext, engine_factory: EngineFactory | None = None) -> None:
        super().__init__()
        self.worker_thread = QThread()  # not `thread`: that would shadow QObject.thread()
        self.worker_thread.setObjectName("engine-worker")
        self.worker = EngineWorker(context, engine_factory)
        self.worker.moveToThread(self.worker_thread)
        self.request_load.connect(self.worker.load)
        self.request_hot_swap.connect(self.worker.hot_swap)
        self.request_handle.connect(self.worker.handle)
        self.request_feedback.connect(self.worker.feedback)
        self.request_profile.connect(self.worker.save_profile)
        self.request_undo.connect(self.worker.undo)
        self.request_forget.connect(self.worker.forget)
        self.request_reanswer.connect(self.worker.reanswer)
        self.request_clear_history.connect(self.worker.clear_history)
        self.request_preview.connect(self.worker.score_preview)
        self.worker_thread.start()
        self._next_id = 0
        self._next_preview = 0

    def load(self, model_dir: Path | str, device: str) -> None:
        self.request_load.emit(str(model_dir), device)

    def hot_swap(self, model_dir: Path | str, device: str) -> None:
        self.request_hot_swap.emit(str(model_dir), device)

    def submit(self, text: str) -> int:
        self._next_id += 1
        self.request_handle.emit(self._next_id, text)
        return self._next_id

    def preview(self, text: str) -> int:
        """Ask what `text` would route to; only the newest preview is scored and shown."""
        self._next_preview += 1
        self.worker.latest_preview = self._next_preview
        self.request_preview.emit(self._next_preview, text)
        return self._next_preview

    @property
    def latest_preview(self) -> int:
        return self._next_preview

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
