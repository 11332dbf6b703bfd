"""Routing: score a request, decide (act, clarify, decline) with the live settings, act; record what happened.

This is the one decision point: the engine (in-process or in its child process) only scores, and the
threshold is read from the settings store for every request, so a change applies to the next request
without crossing any process boundary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from core.actions import ActionRequest, ActionResult
from core.context import AppContext
from core.errors import StorageError
from core.language import resolve_language
from core.policy import ClarificationPolicy
from core.prediction import Prediction, Score, Scorer, Scores

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    prediction: Prediction
    result: ActionResult | None  # None when the assistant asks to clarify instead of acting
    candidates: tuple[Score, ...]  # likely in-scope intents offered when clarifying

    def to_json(self) -> dict[str, Any]:
        return {"prediction": self.prediction.to_json(), "result": self.result.to_json() if self.result else None,
                "candidates": [{"intent": c.intent, "confidence": c.confidence} for c in self.candidates]}


class Assistant:
    def __init__(self, context: AppContext, scorer: Scorer) -> None:
        self.context = context
        self.scorer = scorer

    @property
    def language(self) -> str:
        """The one language decision: the setting, where "system" means the system locale (window and answers)."""
        return resolve_language(self.context.settings.language)

    def policy(self) -> ClarificationPolicy:
        threshold = self.context.store.threshold
        return ClarificationPolicy(threshold if threshold is not None else self.scorer.info.default_threshold)

    def decide(self, scores: Scores) -> Prediction:
        return self.policy().decide(scores, self.scorer.info.out_of_scope_labels)

    def handle(self, text: str) -> Turn:
        """Score `text` and act on it: run the action when confident, else offer candidates (no action runs)."""
        return self.turn_for(self.scorer.score([text])[0])

    def turn_for(self, scores: Scores) -> Turn:
        """Act on scores computed elsewhere (e.g. in a batch by the API)."""
        prediction = self.decide(scores)
        candidates = tuple(prediction.candidates(self.scorer.info.out_of_scope_labels))
        result = None if prediction.needs_clarification else self.run_action(prediction.intent, prediction)
        self._remember(prediction, None if result is None else prediction.intent)
        return Turn(prediction, result, () if result else candidates)

    def run_action(self, intent: str, prediction: Prediction) -> ActionResult:
        return self.context.actions.run(intent, ActionRequest(prediction.text, prediction, self.language))

    def choose(self, prediction: Prediction, intent: str) -> ActionResult:
        """The user picked `intent` from a clarification: record it and run that action."""
        self._feedback(prediction, intent, "clarification")
        return self.run_action(intent, prediction)

    def none_of_these(self, prediction: Prediction) -> None:
        """The user rejected every candidate: the text is recorded as out of scope."""
        self._feedback(prediction, None, "none")

    def correct(self, prediction: Prediction, intent: str) -> ActionResult:
        """A confident answer was wrong: record the right intent and run its action."""
        self._feedback(prediction, intent, "correction")
        return self.run_action(intent, prediction)

    def _feedback(self, prediction: Prediction, chosen: str | None, kind: str) -> None:
        if self.context.settings.history_enabled:  # history off: no request text is stored anywhere
            try:
                self.context.storage.add_feedback(prediction.text, prediction.intent, chosen, kind)
            except StorageError as exc:  # a full or read-only disk must not stop the answer
                log.warning("feedback not stored: %s", exc)

    def _remember(self, prediction: Prediction, action: str | None) -> None:
        if self.context.settings.history_enabled:
            try:
                self.context.storage.add_history(prediction.text, prediction.intent, prediction.confidence, action)
            except StorageError as exc:
                log.warning("history not stored: %s", exc)
