"""When to act and when to ask: the clarification policy over a ranked prediction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.errors import ConfigError

DEFAULT_THRESHOLD = 0.70


@dataclass(frozen=True)
class ClarificationPolicy:
    threshold: float = DEFAULT_THRESHOLD  # top confidence below this -> ask instead of acting
    margin: float = 0.0  # ask when top-1 minus top-2 is below this (0 disables the check)
    per_intent: Mapping[str, float] = field(default_factory=dict)  # intent -> its own threshold
    max_candidates: int = 3  # how many likely intents a clarification offers

    def __post_init__(self) -> None:
        for name, value in [("threshold", self.threshold), *self.per_intent.items()]:
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"Threshold {name!r} must be between 0 and 1, found {value}.")
        if not 0.0 <= self.margin < 1.0 or self.max_candidates < 1:
            raise ConfigError(
                f"margin must be in [0, 1) and max_candidates >= 1; found {self.margin}, {self.max_candidates}."
            )

    def threshold_for(self, intent: str) -> float:
        return self.per_intent.get(intent, self.threshold)

    def needs_clarification(self, ranking: Sequence[tuple[str, float]], out_of_scope: bool) -> bool:
        """True when the assistant must not act: low confidence, a narrow margin, or out of scope."""
        top_intent, top = ranking[0]
        second = ranking[1][1] if len(ranking) > 1 else 0.0
        return out_of_scope or top < self.threshold_for(top_intent) or (top - second) < self.margin
