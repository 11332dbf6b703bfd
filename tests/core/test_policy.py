from __future__ import annotations

import pytest

from core.errors import ConfigError, ModelOutputError
from core.policy import ClarificationPolicy
from core.prediction import Score, Scores

OOS = ("out_of_scope",)


def scores(*pairs: tuple[str, float]) -> Scores:
    return Scores("text", tuple(Score(i, c) for i, c in pairs))


def test_the_threshold_decides_between_acting_and_asking() -> None:
    policy = ClarificationPolicy(threshold=0.7)
    acted = policy.decide(scores(("get_news", 0.8), ("get_help", 0.2)), OOS)
    assert not acted.needs_clarification and acted.intent == "get_news" and acted.threshold == 0.7
    assert policy.decide(scores(("get_news", 0.69), ("get_help", 0.31)), OOS).needs_clarification


def test_out_of_scope_is_never_acted_on() -> None:
    decided = ClarificationPolicy(threshold=0.0).decide(scores(("out_of_scope", 0.99), ("get_news", 0.01)), OOS)
    assert decided.out_of_scope and decided.needs_clarification


def test_an_error_row_never_becomes_an_intent() -> None:
    with pytest.raises(ModelOutputError):
        ClarificationPolicy().decide(Scores("x", (), error="NaN from the model"), OOS)


@pytest.mark.parametrize("ranking", [(("a", float("nan")), ("b", 0.5)), (("a", 5.0),), (("a", 0.5), ("b", 0.2)),
                                     (("a", 0.2), ("b", 0.8)), ()])
def test_scores_that_are_not_a_ranked_distribution_are_refused(ranking: tuple[tuple[str, float], ...]) -> None:
    with pytest.raises(ModelOutputError):
        scores(*ranking)


@pytest.mark.parametrize("threshold", [1.2, -0.1])
def test_invalid_policy_is_rejected(threshold: float) -> None:
    with pytest.raises(ConfigError):
        ClarificationPolicy(threshold)
