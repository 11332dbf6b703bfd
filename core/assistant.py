"""Routing: score a request, decide (act, clarify, decline) with the live settings, act; record what happened.

This is the one decision point: the engine (in-process or in its child process) only scores, and the
threshold is read from the settings store for every request, so a change applies to the next request
without crossing any process boundary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from core.actions import ActionRequest, ActionResult
from core.context import AppContext
from core.conversation import MIN_PLAUSIBLE, Band, band, decline, small_talk, small_talk_language, small_talk_reply
from core.errors import StorageError
from core.language import resolve_language
from core.memory import TeachingMemory
from core.policy import ClarificationPolicy
from core.prediction import Prediction, Score, Scorer, Scores

log = logging.getLogger(__name__)


TURN_KINDS = ("act", "clarify", "decline", "chat")


@dataclass(frozen=True)
class Turn:
    prediction: Prediction
    result: ActionResult | None  # None when the assistant asks to clarify instead of acting
    candidates: tuple[Score, ...]  # plausible in-scope intents offered when clarifying (never a 2% one)
    kind: str = "act"  # act: an action answered; clarify: it asks; decline: out of scope; chat: small talk
    band: Band = "sure"  # how sure, in words (core.conversation.band)
    learned: str = ""  # the date the user taught this request, when that (not the model) chose the intent

    def __post_init__(self) -> None:
        if self.kind not in TURN_KINDS:
            raise ValueError(f"Turn kind must be one of {TURN_KINDS}, found {self.kind!r}")

    @property
    def intent(self) -> str:
        """The intent whose action answered, or "" (clarify, decline, chat)."""
        return self.prediction.intent if self.kind == "act" else ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "band": self.band, "learned": self.learned, "prediction": self.prediction.to_json(),
                "result": self.result.to_json() if self.result else None,
                "candidates": [{"intent": c.intent, "confidence": c.confidence} for c in self.candidates]}


class Assistant:
    def __init__(self, context: AppContext, scorer: Scorer) -> None:
        self.context = context
        self.scorer = scorer
        self.memory = TeachingMemory(context.storage)

    @property
    def language(self) -> str:
        """The one language decision: the setting, where "system" means the system locale (window and answers)."""
        return resolve_language(self.context.settings.language)

    def policy(self) -> ClarificationPolicy:
        threshold = self.context.store.threshold
        return ClarificationPolicy(threshold if threshold is not None else self.scorer.info.default_threshold)

    def decide(self, scores: Scores) -> Prediction:
        return self.policy().decide(scores, self.scorer.info.out_of_scope_labels)

    def classify(self, scores: Scores) -> tuple[Prediction, str]:
        """The decision with what the user taught applied, and the date taught ("" when the model decided);
        no action runs and nothing is recorded (the CLI's classify)."""
        prediction = self.decide(scores)
        learned = self._learned(prediction)
        return learned if learned else (prediction, "")

    def handle(self, text: str) -> Turn:
        """Score `text` and act on it: run the action when confident, else offer candidates (no action runs)."""
        return self.turn_for(self.scorer.score([text])[0])

    def turn_for(self, scores: Scores) -> Turn:
        """Act on scores computed elsewhere (e.g. in a batch by the API)."""
        prediction = self.decide(scores)
        turn = self._turn(prediction)
        self._remember(prediction, turn.intent or None)
        return turn

    def _turn(self, p: Prediction) -> Turn:
        """Small talk is answered; a confident in-scope intent acts; otherwise plausible intents are offered,
        and with none plausible (or a confident out-of-scope) the reply says what the assistant can do."""
        lang, dataset = self.language, self.context.dataset
        level = band(p.confidence, p.threshold)
        chat = small_talk(p.text)
        if chat:  # answered in the request's language where its words say which ("gracias" under English)
            return Turn(p, small_talk_reply(chat, small_talk_language(p.text, lang)), (), "chat", level)
        learned = self._learned(p)
        if learned:
            p, date = learned
            return Turn(p, self.run_action(p.intent, p), (), "act", band(p.confidence, p.threshold), date)
        if not p.needs_clarification:
            return Turn(p, self.run_action(p.intent, p), (), "act", level)
        offered = p.candidates(self.scorer.info.out_of_scope_labels)
        plausible = tuple(c for c in offered if c.confidence >= MIN_PLAUSIBLE)
        if (p.out_of_scope and p.confidence >= p.threshold) or not plausible:
            return Turn(p, decline(dataset, lang, unsure=not p.out_of_scope), (), "decline", level)
        return Turn(p, None, plausible, "clarify", "unsure")

    def _learned(self, p: Prediction) -> tuple[Prediction, str] | None:
        """The prediction with the taught intent when the user taught this request (and the model has it)."""
        try:
            match = self.memory.match(p.text)
        except StorageError as exc:
            log.warning("taught requests not read: %s", exc)
            return None
        if match is None or match.entry.intent not in self.scorer.info.in_scope_labels:
            return None
        intent = match.entry.intent
        confidence = next((s.confidence for s in p.ranking if s.intent == intent), 0.0)
        taught = replace(p, intent=intent, confidence=confidence, needs_clarification=False, out_of_scope=False)
        return taught, match.date

    def teach(self, text: str, intent: str) -> bool:
        """Remember text -> intent (also from the CLI); False when history is off or the text is not teachable."""
        if not self.context.settings.history_enabled:
            return False
        return self.memory.teach(text, intent, self.scorer.info.in_scope_labels)

    def undo(self, prediction: Prediction) -> None:
        """Take back a choice or correction: forget what it taught and drop its feedback row."""
        try:
            self.memory.forget(prediction.text)
            self.context.storage.delete_last_feedback(prediction.text)
        except StorageError as exc:
            log.warning("undo not stored: %s", exc)

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
        """Record the feedback and teach the choice (history off: nothing is stored or learned)."""
        if self.context.settings.history_enabled:  # history off: no request text is stored anywhere
            try:
                self.context.storage.add_feedback(prediction.text, prediction.intent, chosen, kind)
                if chosen:
                    self.teach(prediction.text, chosen)
            except StorageError as exc:  # a full or read-only disk must not stop the answer
                log.warning("feedback not stored: %s", exc)

    def _remember(self, prediction: Prediction, action: str | None) -> None:
        if self.context.settings.history_enabled:
            try:
                self.context.storage.add_history(prediction.text, prediction.intent, prediction.confidence, action)
            except StorageError as exc:
                log.warning("history not stored: %s", exc)
