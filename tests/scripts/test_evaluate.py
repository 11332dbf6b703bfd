"""scripts/evaluate.py and scripts/public_benchmarks.py on hand-made predictions (no model, no training)."""

from __future__ import annotations

from core.prediction import Prediction, Score
from scripts.evaluate import Scored, ece, ece_noise_floor
from scripts.public_benchmarks import rates

LABELS = ("get_help", "get_news", "out_of_scope")


def scored(gold: str, top: str, confidence: float) -> Scored:
    rest = [label for label in LABELS if label != top]
    share = (1 - confidence) / len(rest)
    ranking = (Score(top, confidence), *(Score(label, share) for label in rest))
    prediction = Prediction(text=f"{gold} {top} {confidence}", intent=top, confidence=confidence, ranking=ranking,
                            needs_clarification=False, out_of_scope=top == "out_of_scope", truncated=False,
                            latency_ms=0.0)
    return Scored(prediction.text, gold, prediction)


def test_ece_is_the_gap_between_confidence_and_accuracy_per_bin() -> None:
    rows = [scored("get_help", "get_help", 0.9), scored("get_help", "get_news", 0.9),  # one bin: 90 % vs 50 %
            scored("get_news", "get_news", 0.5)]  # another: 50 % sure, right (a gap of 0.5)
    assert abs(ece(rows, LABELS) - (2 / 3 * 0.4 + 1 / 3 * 0.5)) < 1e-6
    perfect = [scored("get_help", "get_help", 1.0)]
    assert ece(perfect, LABELS) == 0.0


def test_the_ece_noise_floor_shrinks_with_rows_and_vanishes_for_certain_answers() -> None:
    certain = [scored("get_help", "get_help", 1.0)] * 50
    assert ece_noise_floor(certain) == (0.0, 0.0)  # a sure answer drawn right with probability 1 is always right
    few = [scored("get_help", "get_help", 0.8)] * 20
    many = [scored("get_help", "get_help", 0.8)] * 2000
    assert ece_noise_floor(many)[0] < 0.02 < ece_noise_floor(few)[0]  # sampling alone: about 0.4 / sqrt(n), one bin
    mean, p95 = ece_noise_floor(few)
    assert mean < p95


def test_public_rates_decide_with_the_apps_policy() -> None:
    rows = [scored("get_help", "get_help", 0.8), scored("get_news", "get_news", 0.6),
            scored("out_of_scope", "out_of_scope", 0.9), scored("out_of_scope", "get_help", 0.65)]
    at_070 = rates(rows, 0.70)  # the 0.6 and 0.65 rows are asked about, the out-of-scope label never acted on
    assert at_070 == {"in_scope_accuracy": 0.5, "oos_recall": 1.0, "overall_accuracy": 0.75}
    at_050 = rates(rows, 0.50)  # now the 0.65 out-of-scope row is routed to get_help: not caught
    assert at_050 == {"in_scope_accuracy": 1.0, "oos_recall": 0.5, "overall_accuracy": 0.75}
