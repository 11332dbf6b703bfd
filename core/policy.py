"""The one decision point: from a model's scores to act, ask to clarify, or decline.

The engine only scores; `Assistant` builds a policy from the live settings for every request and calls
`decide`. The CLI, the API and the evaluation script use the same function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import ConfigError, ModelOutputError
from core.prediction import DEFAULT_THRESHOLD, Prediction, Scores

__all__ = ["DEFAULT_THRESHOLD", "ClarificationPolicy"]  # DEFAULT_THRESHOLD is defined in core.prediction


@dataclass(frozen=True)
class ClarificationPolicy:
    threshold: float = DEFAULT_THRESHOLD  # top confidence below this -> ask instead of acting

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(f"The clarification threshold must be between 0 and 1, found {self.threshold}.")

    def needs_clarification(self, top: float, out_of_scope: bool) -> bool:
        """True when the assistant must not act: low confidence, or the top label is out of scope."""
        return out_of_scope or top < self.threshold

    def decide(self, scores: Scores, out_of_scope_labels: Sequence[str]) -> Prediction:
        """Raises ModelOutputError for a row the model got wrong: such a row never becomes an intent."""
        if scores.error:
            raise ModelOutputError(scores.error)
        top = scores.top
        out_of_scope = top.intent in out_of_scope_labels
        return Prediction(
            text=scores.text, intent=top.intent, confidence=top.confidence, ranking=scores.ranking,
            needs_clarification=self.needs_clarification(top.confidence, out_of_scope), out_of_scope=out_of_scope,
            truncated=scores.truncated, latency_ms=scores.latency_ms, threshold=self.threshold, slots=scores.slots,
        )
