"""Test doubles: a scripted scorer that needs no model (a core.prediction.Scorer like Engine)."""

from __future__ import annotations

from collections.abc import Sequence

from core.policy import ClarificationPolicy
from core.prediction import EngineInfo, Prediction, Score, Scores

LABELS = ("get_business_information", "get_help", "get_news", "get_profile", "out_of_scope")
DISPLAY = {label: {"es": label.upper(), "en": label.title()} for label in LABELS}
INFO = EngineInfo(labels=LABELS, out_of_scope_labels=("out_of_scope",), display_names=DISPLAY,
                  default_threshold=0.7, device="cpu", cuda_available=False, model_dir="fake")


class FakeScorer:
    """'news'/'noticias' -> get_news at 0.95, 'maybe' -> get_news at 0.5 (unsure), 'help' -> get_help,
    'profile'/'perfil' -> get_profile, 'open' -> business, anything else out of scope."""

    def __init__(self, threshold: float = 0.7, model_dir: str = "fake") -> None:
        self.info = EngineInfo(**{**INFO.__dict__, "default_threshold": threshold, "model_dir": model_dir})
        self.calls: list[str] = []
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def score(self, texts: Sequence[str]) -> list[Scores]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Scores:
        self.calls.append(text)
        lowered = text.lower()
        table = [("maybe", "get_news", 0.5), ("news", "get_news", 0.95), ("noticias", "get_news", 0.95),
                 ("help", "get_help", 0.9), ("profile", "get_profile", 0.9), ("perfil", "get_profile", 0.9),
                 ("open", "get_business_information", 0.9)]
        intent, top = next(((i, c) for key, i, c in table if key in lowered), ("out_of_scope", 0.9))
        rest = (1.0 - top) / (len(LABELS) - 1)
        ranking = sorted([(label, top if label == intent else rest) for label in LABELS], key=lambda x: -x[1])
        if intent == "get_news" and top < 0.7:  # an unsure answer with a clear runner-up
            ranking = [("get_news", 0.5), ("get_help", 0.3), ("get_profile", 0.1),
                       ("get_business_information", 0.05), ("out_of_scope", 0.05)]
        return Scores(text, tuple(Score(i, c) for i, c in ranking), False, 1.0)

    def predict(self, text: str) -> Prediction:
        """Scores decided with the default policy (for tests that need a Prediction)."""
        return ClarificationPolicy(self.info.default_threshold).decide(self._one(text), INFO.out_of_scope_labels)
