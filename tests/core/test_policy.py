from __future__ import annotations

import pytest

from core.errors import ConfigError
from core.policy import ClarificationPolicy


def test_threshold_margin_and_per_intent() -> None:
    policy = ClarificationPolicy(threshold=0.7, margin=0.2, per_intent={"get_profile": 0.9})
    assert not policy.needs_clarification([("get_news", 0.8), ("get_help", 0.1)], out_of_scope=False)
    assert policy.needs_clarification([("get_news", 0.69), ("get_help", 0.1)], out_of_scope=False)
    assert policy.needs_clarification([("get_news", 0.55 + 0.2), ("get_help", 0.56)], out_of_scope=False)
    assert policy.needs_clarification([("get_profile", 0.85), ("get_help", 0.1)], out_of_scope=False)


def test_out_of_scope_is_never_acted_on() -> None:
    assert ClarificationPolicy(threshold=0.0).needs_clarification([("out_of_scope", 0.99)], out_of_scope=True)


@pytest.mark.parametrize("kwargs", [{"threshold": 1.2}, {"margin": -0.1}, {"per_intent": {"x": 2.0}},
                                    {"max_candidates": 0}])
def test_invalid_policy_is_rejected(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError):
        ClarificationPolicy(**kwargs)
