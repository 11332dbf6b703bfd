"""The typed boundary of the engine: what it is (EngineInfo), what it returns (Scores), what it offers (Scorer),
and what the one decision point makes of scores (Prediction).

No torch here: the desktop process, the CLI's decision code and the wire format import this without the model.
Every `from_json` checks types and values, because these objects cross a process boundary.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.errors import EngineProcessError, ModelOutputError
from core.slots import SLOT_NAMES, Slot

# The clarification threshold: top confidence below it -> ask instead of acting. Exported bundles carry it in
# their manifest and settings may override it; this is the one place the number is written (core.policy
# re-exports it).
DEFAULT_THRESHOLD = 0.70
SUM_TOLERANCE = 1e-3  # probabilities of one row must sum to 1 within this (float32 softmax drifts ~1e-6)


def _typed(raw: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = raw.get(key)
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):  # True is an int too
        raise EngineProcessError(f"engine message field {key!r} must be {kind}, found {type(value).__name__}.")
    return value


def _text_tuple(raw: Any, key: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise EngineProcessError(f"engine message field {key!r} must be a list of texts.")
    return tuple(raw)


@dataclass(frozen=True)
class Score:
    intent: str
    confidence: float


@dataclass(frozen=True)
class EngineInfo:
    """Start-up facts of a loaded model, the same whether the engine runs in-process or in a child process."""

    labels: tuple[str, ...]  # every label, in the model's output order
    out_of_scope_labels: tuple[str, ...]  # labels that mean "not for me": never routed to an action
    display_names: Mapping[str, Mapping[str, str]]  # label -> language code -> name shown to people
    default_threshold: float  # the bundle's clarification threshold (manifest; used when settings name none).
    # It is the product's fixed DEFAULT_THRESHOLD, not a calibrated value: the temperature is what is calibrated.
    device: str  # "cpu" or "cuda": where the model runs
    cuda_available: bool  # whether a CUDA device exists on this machine (for the settings dialog)
    model_dir: str = ""  # the bundle folder this engine loaded

    def __post_init__(self) -> None:
        if not self.labels or not set(self.out_of_scope_labels) <= set(self.labels):
            raise EngineProcessError("engine info: labels must be non-empty and include the out-of-scope labels.")
        if not 0.0 < self.default_threshold < 1.0:
            raise EngineProcessError(f"engine info: threshold must be in (0, 1), found {self.default_threshold}.")

    def display_name(self, intent: str, language: str) -> str:
        return str(self.display_names.get(intent, {}).get(language, intent))

    @property
    def in_scope_labels(self) -> tuple[str, ...]:
        return tuple(label for label in self.labels if label not in self.out_of_scope_labels)

    def to_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "out_of_scope_labels": list(self.out_of_scope_labels),
                "display_names": {k: dict(v) for k, v in self.display_names.items()},
                "default_threshold": self.default_threshold, "device": self.device,
                "cuda_available": self.cuda_available, "model_dir": self.model_dir}

    @staticmethod
    def from_json(raw: Any) -> EngineInfo:
        if not isinstance(raw, dict):
            raise EngineProcessError("engine info must be a JSON object.")
        names = raw.get("display_names")
        if not isinstance(names, dict) or not all(
                isinstance(v, dict) and all(isinstance(x, str) for x in v.values()) for v in names.values()):
            raise EngineProcessError("engine info 'display_names' must map labels to {language: name}.")
        return EngineInfo(
            labels=_text_tuple(raw.get("labels"), "labels"),
            out_of_scope_labels=_text_tuple(raw.get("out_of_scope_labels"), "out_of_scope_labels"),
            display_names={str(k): {str(a): b for a, b in v.items()} for k, v in names.items()},
            default_threshold=float(_typed(raw, "default_threshold", (int, float))),
            device=_typed(raw, "device", str), cuda_available=_typed(raw, "cuda_available", bool),
            model_dir=_typed(raw, "model_dir", str),
        )


@dataclass(frozen=True)
class Scores:
    """What the engine returns for one request: every label's probability, nothing decided yet."""

    text: str  # the cleaned text the model saw
    ranking: tuple[Score, ...]  # every label, most likely first, summing to 1
    truncated: bool = False  # the request was cut to the word/character/token budget
    latency_ms: float = 0.0  # cleaning + tokenisation + model time for this request (batch share)
    error: str = ""  # set when the model's row for this request was unusable (NaN, ...): ranking is then empty
    # Spans the model's slot layer tagged (value = the words as in `text`, offsets into `text`); empty for a
    # bundle without one. Canonical values come later, from the locale files (core.slots.resolve).
    slots: tuple[Slot, ...] = ()

    def __post_init__(self) -> None:
        if not self.error:
            check_ranking(self.ranking)
        check_slots(self.text, self.slots)

    @property
    def top(self) -> Score:
        return self.ranking[0]

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "truncated": self.truncated, "latency_ms": round(self.latency_ms, 3),
                "error": self.error,
                "ranking": [{"intent": s.intent, "confidence": round(s.confidence, 6)} for s in self.ranking],
                "slots": [s.to_json() for s in self.slots]}

    @staticmethod
    def from_json(raw: Any) -> Scores:
        if not isinstance(raw, dict) or not isinstance(raw.get("ranking"), list):
            raise EngineProcessError("engine scores must be an object with a 'ranking' list.")
        ranking = []
        for row in raw["ranking"]:
            if not isinstance(row, dict):
                raise EngineProcessError("engine score rows must be objects.")
            ranking.append(Score(_typed(row, "intent", str), float(_typed(row, "confidence", (int, float)))))
        slots = raw.get("slots", [])
        if not isinstance(slots, list) or not all(isinstance(s, dict) for s in slots):
            raise EngineProcessError("engine scores 'slots' must be a list of objects.")
        try:
            return Scores(_typed(raw, "text", str), tuple(ranking), _typed(raw, "truncated", bool),
                          float(_typed(raw, "latency_ms", (int, float))), _typed(raw, "error", str),
                          tuple(Slot(_typed(s, "name", str), _typed(s, "value", str), _typed(s, "start", int),
                                     _typed(s, "end", int)) for s in slots))
        except ModelOutputError as exc:
            raise EngineProcessError(f"The engine process sent invalid scores: {exc}") from exc


def check_ranking(ranking: Sequence[Score]) -> None:
    """A ranking the assistant may act on: non-empty, finite, each in [0, 1], summing to 1, sorted."""
    if not ranking:
        raise ModelOutputError("The model returned no scores; re-export the bundle.")
    values = [s.confidence for s in ranking]
    if not all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values):
        raise ModelOutputError(
            f"The model returned scores outside [0, 1] or not numbers ({values[:3]}…); the bundle is broken: "
            "re-export it or choose another model."
        )
    if abs(sum(values) - 1.0) > SUM_TOLERANCE:
        raise ModelOutputError(
            f"The model's scores sum to {sum(values):.4f}, expected 1; the bundle is broken: re-export it."
        )
    if any(a < b for a, b in itertools.pairwise(values)):
        raise ModelOutputError("The scores are not ranked most likely first.")


def check_slots(text: str, slots: Sequence[Slot]) -> None:
    """Tagged slots the actions may read: known names, spans inside `text` in order, values equal to their words."""
    for slot in slots:
        if slot.name not in SLOT_NAMES or not 0 <= slot.start < slot.end <= len(text) or \
                text[slot.start:slot.end] != slot.value:
            raise ModelOutputError(f"A tagged slot does not fit the request ({slot!r:.120}); expected one of "
                                   f"{SLOT_NAMES} over words of the text: re-export the bundle.")


class Scorer(Protocol):
    """What the assistant needs of an engine: Engine in-process, RemoteEngine in a child process, test fakes."""

    @property
    def info(self) -> EngineInfo: ...

    def score(self, texts: Sequence[str]) -> list[Scores]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Prediction:
    """Scores plus the decision taken on them by ClarificationPolicy.decide (the one decision point)."""

    text: str  # the cleaned text the model saw
    intent: str  # top label (may be the out-of-scope label)
    confidence: float  # probability of the top label, temperature-calibrated
    ranking: tuple[Score, ...]  # every label, most likely first, summing to 1
    needs_clarification: bool  # True: do not act, offer the candidates
    out_of_scope: bool  # True: the top label is the explicit out-of-scope class
    truncated: bool  # True: the request was cut to the word/character/token budget
    latency_ms: float  # cleaning + tokenisation + model time for this request (batch share)
    threshold: float = field(default=DEFAULT_THRESHOLD)  # the threshold the decision used
    slots: tuple[Slot, ...] = ()  # the model's tagged spans (Scores.slots); canonical values: core.slots.resolve

    def candidates(self, out_of_scope_labels: Sequence[str], limit: int = 3) -> list[Score]:
        """The likely in-scope intents to offer when asking the user to clarify."""
        return [s for s in self.ranking if s.intent not in out_of_scope_labels][:limit]

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
