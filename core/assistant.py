"""Routing: classify a request, then act, ask to clarify, or decline; record history and feedback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.actions import ActionRequest, ActionResult
from core.context import AppContext
from core.language import guess_language, resolve_language
from core.prediction import Prediction, Score


class Classifier(Protocol):
    """What the assistant needs of an engine (Engine in-process, RemoteEngine in a child process)."""

    @property
    def out_of_scope_labels(self) -> tuple[str, ...]: ...

    def classify(self, text: str) -> Prediction: ...


@dataclass(frozen=True)
class Turn:
    prediction: Prediction
    result: ActionResult | None  # None when the assistant asks to clarify instead of acting
    candidates: tuple[Score, ...]  # likely in-scope intents offered when clarifying

    def to_json(self) -> dict[str, Any]:
        return {"prediction": self.prediction.to_json(), "result": self.result.to_json() if self.result else None,
                "candidates": [{"intent": c.intent, "confidence": c.confidence} for c in self.candidates]}


class Assistant:
    def __init__(self, context: AppContext, classifier: Classifier) -> None:
        self.context = context
        self.classifier = classifier

    def language_for(self, text: str) -> str:
        setting = self.context.settings.language
        return guess_language(text) if setting == "system" else resolve_language(setting)

    def handle(self, text: str) -> Turn:
        """Classify `text`; run the action when confident, else offer candidates (no action runs)."""
        return self.turn_for(self.classifier.classify(text))

    def turn_for(self, prediction: Prediction) -> Turn:
        """Act on an existing prediction (e.g. one classified in a batch elsewhere)."""
        candidates = tuple(prediction.candidates(self.classifier.out_of_scope_labels))
        result = None if prediction.needs_clarification else self.run_action(prediction.intent, prediction)
        self._remember(prediction, None if result is None else prediction.intent)
        return Turn(prediction, result, () if result else candidates)

    def run_action(self, intent: str, prediction: Prediction) -> ActionResult:
        request = ActionRequest(prediction.text, prediction, self.language_for(prediction.text))
        return self.context.actions.run(intent, request)

    def choose(self, prediction: Prediction, intent: str) -> ActionResult:
        """The user picked `intent` from a clarification: record it and run that action."""
        self.context.storage.add_feedback(prediction.text, prediction.intent, intent, "clarification")
        return self.run_action(intent, prediction)

    def none_of_these(self, prediction: Prediction) -> None:
        """The user rejected every candidate: the text is recorded as out of scope."""
        self.context.storage.add_feedback(prediction.text, prediction.intent, None, "none")

    def correct(self, prediction: Prediction, intent: str) -> ActionResult:
        """A confident answer was wrong: record the right intent and run its action."""
        self.context.storage.add_feedback(prediction.text, prediction.intent, intent, "correction")
        return self.run_action(intent, prediction)

    def _remember(self, prediction: Prediction, action: str | None) -> None:
        if self.context.settings.history_enabled:
            self.context.storage.add_history(prediction.text, prediction.intent, prediction.confidence, action)
