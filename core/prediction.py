"""What a classification returns (no torch here: the desktop process imports this without the model)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Score:
    intent: str
    confidence: float


@dataclass(frozen=True)
class Prediction:
    text: str  # the cleaned text the model saw
    intent: str  # top label (may be the out-of-scope label)
    confidence: float  # probability of the top label, temperature-calibrated
    ranking: tuple[Score, ...]  # every label, most likely first, summing to 1
    needs_clarification: bool  # True: do not act, offer the candidates
    out_of_scope: bool  # True: the top label is the explicit out-of-scope class
    truncated: bool  # True: the request was cut to the word/character/token budget
    latency_ms: float  # cleaning + tokenisation + model time for this request (batch share)

    def candidates(self, out_of_scope_labels: Sequence[str], limit: int = 3) -> list[Score]:
        """The likely in-scope intents to offer when asking the user to clarify."""
        return [s for s in self.ranking if s.intent not in out_of_scope_labels][:limit]

    @staticmethod
    def from_json(raw: dict[str, Any]) -> Prediction:
        """The inverse of to_json (used across the engine-process boundary)."""
        return Prediction(
            text=raw["text"], intent=raw["intent"], confidence=raw["confidence"],
            ranking=tuple(Score(s["intent"], s["confidence"]) for s in raw["ranking"]),
            needs_clarification=raw["needs_clarification"], out_of_scope=raw["out_of_scope"],
            truncated=raw["truncated"], latency_ms=raw["latency_ms"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 6),
            "ranking": [{"intent": s.intent, "confidence": round(s.confidence, 6)} for s in self.ranking],
            "needs_clarification": self.needs_clarification,
            "out_of_scope": self.out_of_scope,
            "truncated": self.truncated,
            "latency_ms": round(self.latency_ms, 3),
        }
