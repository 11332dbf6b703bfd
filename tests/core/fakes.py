"""Test doubles: a scripted classifier that needs no model."""

from __future__ import annotations

from core.policy import ClarificationPolicy
from core.prediction import Prediction, Score

LABELS = ("get_business_information", "get_help", "get_news", "get_profile", "out_of_scope")
DISPLAY = {label: {"es": label.upper(), "en": label.title()} for label in LABELS}


class FakeClassifier:
    """'news'/'noticias' -> get_news at 0.95, 'maybe' -> get_news at 0.5 (unsure), 'help' -> get_help,
    'profile'/'perfil' -> get_profile, 'open' -> business, anything else out of scope."""

    out_of_scope_labels = ("out_of_scope",)
    labels = LABELS
    device = "cpu"
    cuda_available = False
    display_names = DISPLAY

    def __init__(self, threshold: float = 0.7) -> None:
        self.threshold = threshold
        self.calls: list[str] = []

    def set_threshold(self, threshold: float) -> None:
        self.threshold = threshold

    def close(self) -> None:
        pass

    def classify(self, text: str) -> Prediction:
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
        oos = intent == "out_of_scope"
        policy = ClarificationPolicy(threshold=self.threshold)
        return Prediction(text, intent, top, tuple(Score(i, c) for i, c in ranking),
                          policy.needs_clarification(ranking, oos), oos, False, 1.0)
