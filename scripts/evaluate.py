"""Evaluate an exported bundle through the real engine and write a Markdown + PNG report.

    python -m scripts.evaluate --bundle resources/model --run runs/default --split test --out reports/test
    python -m scripts.evaluate --bundle B --run R --split val --json      # metrics only, for tuning

Metrics: accuracy, macro-F1, per-intent precision/recall, confusion matrix, reliability diagram,
confidence histogram (right vs wrong), ECE, in-scope clarification rate and out-of-scope caught rate at
the bundle's threshold (or --threshold), and "right decisions": in-scope routed to the right intent
without asking, plus out-of-scope not routed. The decision figures are also given per language (es/en, as
core.language guesses it) and per kind (in scope, plain out of scope, near miss): routed right without
asking, confidently wrong (routed to another intent without asking) and caught (out of scope, not routed).
Robustness: every row again with one typo or filler word (scripts.augment.noisy, with a seed of its own, not
the one training draws its noisy copies with): right decisions on those copies, and how often a copy gets the
same decision as the request as written.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from core.conversation import SURE
from core.engine import Engine
from core.intents import OUT_OF_SCOPE
from core.language import guess_language
from core.policy import ClarificationPolicy
from core.prediction import Prediction
from scripts.augment import noisy
from scripts.data import KINDS, Row, Splits, kind_of
from scripts.export import calibration_gap, expected_calibration_error

# The seed of the evaluation's typos and fillers: not scripts.train's split_seed (13), with which training draws its
# noisy copies, so the evaluation's edits are other edits than the ones the model was trained on.
NOISE_SEED = 101


@dataclass(frozen=True)
class Scored:
    text: str
    gold: str
    prediction: Prediction
    kind: str = "in_scope"  # in_scope, out_of_scope (plain) or near_miss

    @property
    def language(self) -> str:
        return guess_language(self.text)

    @property
    def routed(self) -> bool:
        return not self.prediction.needs_clarification

    @property
    def in_scope(self) -> bool:
        return self.gold != OUT_OF_SCOPE

    @property
    def right(self) -> bool:
        return self.prediction.intent == self.gold

    @property
    def right_decision(self) -> bool:
        p = self.prediction
        return (self.right and not p.needs_clarification) if self.in_scope else p.needs_clarification


def score_rows(engine: Engine, rows: Sequence[Row], splits: Splits | None = None,
               threshold: float | None = None, batch: int = 64) -> list[Scored]:
    """Score and decide every row with the app's own decision function (ClarificationPolicy.decide). batch=1
    scores each request alone, as the app does: an int8 graph quantizes activations per call, so a row's scores
    can move slightly with the batch it shares."""
    near_miss = splits.near_miss if splits else frozenset()
    policy = ClarificationPolicy(threshold if threshold is not None else engine.info.default_threshold)
    out: list[Scored] = []
    for i in range(0, len(rows), batch):
        chunk = rows[i:i + batch]
        preds = [policy.decide(s, engine.info.out_of_scope_labels) for s in engine.score([t for t, _ in chunk])]
        out.extend(Scored(t, g, p, kind_of((t, g), near_miss)) for (t, g), p in zip(chunk, preds, strict=True))
    return out


def decision_figures(group: Sequence[Scored]) -> dict[str, Any]:
    """What a user sees on these rows: routed right without asking, confidently wrong, out of scope caught."""
    inside = [s for s in group if s.in_scope]
    outside = [s for s in group if not s.in_scope]
    return {
        "rows": len(group), "in_scope_rows": len(inside), "oos_rows": len(outside),
        "in_scope_routed_right": _rate([s.right and s.routed for s in inside]),
        "in_scope_confidently_wrong": _rate([not s.right and s.routed for s in inside]),
        "oos_caught": _rate([not s.routed for s in outside]),
    }


def breakdown(scored: Sequence[Scored]) -> dict[str, dict[str, Any]]:
    groups = {f"language_{lang}": [s for s in scored if s.language == lang] for lang in ("es", "en")}
    groups |= {f"kind_{kind}": [s for s in scored if s.kind == kind] for kind in KINDS}
    return {name: decision_figures(rows) for name, rows in groups.items()}


def ece(scored: Sequence[Scored], labels: Sequence[str], bins: int = 15) -> float:
    """The export's expected_calibration_error (one definition) over the rows' full rankings; every row's gold
    label must be one of `labels` (metrics passes the rows the model can output)."""
    if not scored:
        return float("nan")
    index = {label: i for i, label in enumerate(labels)}
    probs = torch.zeros(len(scored), len(labels))
    for row, s in enumerate(scored):
        for score in s.prediction.ranking:
            probs[row, index[score.intent]] = score.confidence
    targets = torch.tensor([index[s.gold] for s in scored])
    return expected_calibration_error(probs, targets, bins)


def ece_noise_floor(scored: Sequence[Scored], bins: int = 15, draws: int = 400,
                    seed: int = 0) -> tuple[float, float]:
    """The ECE a perfectly calibrated model would still show on these rows: each row's answer drawn right with
    the probability of its own confidence, `draws` times. Returns the mean and the 95th percentile: a measured ECE
    above the 95th percentile is miscalibration these rows can show; below it, they cannot tell it from perfect
    calibration (a perfectly calibrated model exceeds the mean about half the time). On ~190 rows a language the
    mean is about 0.03, issue 21's target."""
    if not scored:
        return float("nan"), float("nan")
    confidence = torch.tensor([s.prediction.ranking[0].confidence for s in scored])
    generator = torch.Generator().manual_seed(seed)
    draws_right = [(torch.rand(len(scored), generator=generator) < confidence).float() for _ in range(draws)]
    gaps = torch.tensor([calibration_gap(confidence, right, bins) for right in draws_right])
    return float(gaps.mean()), float(torch.quantile(gaps, 0.95))


def per_label(scored: Sequence[Scored], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    stats = {}
    for label in labels:
        tp = sum(s.right and s.gold == label for s in scored)
        predicted = sum(s.prediction.intent == label for s in scored)
        actual = sum(s.gold == label for s in scored)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        stats[label] = {"precision": precision, "recall": recall, "f1": f1, "support": actual}
    return stats


def _rate(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def metrics(scored: Sequence[Scored], labels: Sequence[str]) -> dict[str, Any]:
    """All figures of the report; accuracy counts the rows whose gold label the model can output."""
    known = [s for s in scored if s.gold in labels]
    inside = [s for s in scored if s.in_scope]
    outside = [s for s in scored if not s.in_scope]
    table = per_label(known, labels)
    return {
        "rows": len(scored), "in_scope_rows": len(inside), "oos_rows": len(outside),
        "accuracy": _rate([s.right for s in known]),
        "in_scope_accuracy": _rate([s.right for s in inside]),
        "macro_f1": sum(v["f1"] for v in table.values()) / len(table),
        "ece": ece(known, labels),
        # issue 21: calibration per language, and how often a "sure" answer (core.conversation.SURE) is right
        **{f"ece_language_{lang}": ece([s for s in known if s.language == lang], labels) for lang in ("es", "en")},
        **{f"ece_noise_{stat}_language_{lang}": value for lang in ("es", "en")
           for stat, value in zip(("floor", "p95"), ece_noise_floor([s for s in known if s.language == lang]),
                                  strict=True)},
        "sure_precision": _rate([s.right for s in scored if s.routed and s.prediction.confidence >= SURE]),
        "sure_rows": sum(s.routed and s.prediction.confidence >= SURE for s in scored),
        "in_scope_clarification_rate": _rate([s.prediction.needs_clarification for s in inside]),
        "oos_caught_rate": _rate([s.prediction.needs_clarification for s in outside]),
        "right_decisions": sum(s.right_decision for s in scored),
        "right_decision_rate": _rate([s.right_decision for s in scored]),
        **{f"all_{k}": v for k, v in decision_figures(scored).items() if k.startswith(("in_scope_", "oos_c"))},
        "breakdown": breakdown(scored),
        "per_label": table,
    }


def _plots(scored: Sequence[Scored], labels: Sequence[str], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    index = {name: i for i, name in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for s in scored:
        if s.gold in index:
            matrix[index[s.gold]][index[s.prediction.intent]] += 1
    axes[0].imshow(matrix, cmap="Blues")
    axes[0].set(xticks=range(len(labels)), yticks=range(len(labels)), title="Confusion (rows: gold)")
    axes[0].set_xticklabels(labels, rotation=45, ha="right", fontsize=7)
    axes[0].set_yticklabels(labels, fontsize=7)
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            axes[0].text(j, i, str(v), ha="center", va="center", fontsize=7)
    bins = [i / 10 for i in range(11)]
    centers, accs = [], []
    for low, high in itertools.pairwise(bins):
        group = [s for s in scored if low < s.prediction.confidence <= high and s.gold in index]
        if group:
            centers.append(sum(s.prediction.confidence for s in group) / len(group))
            accs.append(sum(s.right for s in group) / len(group))
    axes[1].plot([0, 1], [0, 1], "--", color="grey")
    axes[1].plot(centers, accs, "o-")
    axes[1].set(xlabel="confidence", ylabel="accuracy", title="Reliability diagram")
    axes[2].hist([[s.prediction.confidence for s in scored if s.right],
                  [s.prediction.confidence for s in scored if not s.right]], bins=bins, label=["right", "wrong"])
    axes[2].set(xlabel="top confidence", title="Confidence: right vs wrong")
    axes[2].legend()
    fig.tight_layout()
    fig.savefig(out / "evaluation.png", dpi=110)
    plt.close(fig)


def _markdown(m: dict[str, Any], split: str, bundle: Path, threshold: float, errors: list[Scored]) -> str:
    lines = [f"# Evaluation of `{bundle}` on the `{split}` split", "",
             f"Threshold {threshold:.2f}; {m['rows']} rows "
             f"({m['in_scope_rows']} in scope, {m['oos_rows']} out of scope).",
             "", "| metric | value |", "|---|---|"]
    for key in ("accuracy", "in_scope_accuracy", "macro_f1", "ece", "ece_language_es", "ece_language_en",
                "ece_noise_floor_language_es", "ece_noise_p95_language_es", "ece_noise_floor_language_en",
                "ece_noise_p95_language_en", "sure_precision",
                "in_scope_clarification_rate", "oos_caught_rate", "right_decision_rate",
                "noisy_right_decision_rate", "noisy_same_decision_rate"):
        lines.append(f"| {key} | {m[key]:.3f} |")
    lines += ["", "| group | rows | in scope routed right | in scope confidently wrong | out of scope caught |",
              "|---|---|---|---|---|"]
    for name, g in m["breakdown"].items():
        cells = [f"{g[k]:.1%}" if g[k] == g[k] else "—" for k in ("in_scope_routed_right",
                                                                 "in_scope_confidently_wrong", "oos_caught")]
        lines.append(f"| {name} | {g['rows']} | " + " | ".join(cells) + " |")
    lines += ["", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
              for k, v in m["per_label"].items()]
    lines += ["", "![evaluation](evaluation.png)", "", "## Wrong decisions", ""]
    lines += [f"- `{s.text}` ({s.language}, {s.kind}) — gold {s.gold}, predicted {s.prediction.intent} at "
              f"{s.prediction.confidence:.2f}" for s in errors]
    lines += ["", "## Decisions a typo or filler word changed", ""]
    lines += [f"- `{c['text']}` → `{c['noisy']}` (gold {c['gold']}): {c['clean']} → {c['now']}"
              for c in m["noisy_changed"]]
    return "\n".join(lines) + "\n"


def _decision(s: Scored) -> tuple[str, bool]:
    """What the user sees: the intent acted on, or a question (every question counts as one decision)."""
    return (s.prediction.intent if s.routed else "", s.routed)


def robustness(clean: Sequence[Scored], spoilt: Sequence[Scored]) -> dict[str, Any]:
    """The same rows with one typo or filler each: right decisions, and decisions unchanged by the noise."""
    changed = [(c, n) for c, n in zip(clean, spoilt, strict=True) if _decision(c) != _decision(n)]
    return {"noisy_right_decisions": sum(s.right_decision for s in spoilt),
            "noisy_right_decision_rate": _rate([s.right_decision for s in spoilt]),
            "noisy_same_decision_rate": _rate([_decision(c) == _decision(n) for c, n in zip(clean, spoilt,
                                                                                          strict=True)]),
            "noisy_changed": [{"text": c.text, "noisy": n.text, "gold": c.gold,
                               "clean": f"{c.prediction.intent} {c.prediction.confidence:.2f}",
                               "now": f"{n.prediction.intent} {n.prediction.confidence:.2f}"} for c, n in changed]}


def evaluate(bundle: Path | Engine, rows: Sequence[Row], threshold: float | None = None,
             splits: Splits | None = None, batch: int = 64,
             robust: bool = True) -> tuple[list[Scored], dict[str, Any]]:
    """Score `rows` with the bundle (a folder, or an Engine already loaded) and compute every figure; with
    `robust`, the robustness figures too (each row scored again with one typo or filler word)."""
    engine = bundle if isinstance(bundle, Engine) else Engine(bundle)
    scored = score_rows(engine, rows, splits, threshold, batch)
    if not robust:
        return scored, metrics(scored, engine.labels)
    # no spans: a typo may land in a slot value, as a user's would (training keeps slots intact for their labels)
    spoilt = [(noisy(text, NOISE_SEED)[0], gold) for text, gold in rows]
    # a noisy near miss is still a near miss: each copy keeps its original's kind (paired by position)
    noisy_scored = [replace(n, kind=c.kind)
                    for c, n in zip(scored, score_rows(engine, spoilt, None, threshold, batch), strict=True)]
    return scored, metrics(scored, engine.labels) | robustness(scored, noisy_scored)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--run", type=Path, required=True, help="run folder whose splits.json to use")
    parser.add_argument("--split", choices=("train", "val", "test"), default="test")
    parser.add_argument("--threshold", type=float, help="override the bundle's threshold")
    parser.add_argument("--out", type=Path, help="folder for report.md and evaluation.png")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = parser.parse_args(argv)
    splits = Splits.from_json(json.loads((args.run / "splits.json").read_text(encoding="utf-8")))
    engine = Engine(args.bundle)  # loaded once: it scores and names the default threshold
    scored, m = evaluate(engine, getattr(splits, args.split), args.threshold, splits)
    threshold = args.threshold if args.threshold is not None else engine.info.default_threshold
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        _plots(scored, list(m["per_label"]), args.out)
        errors = [s for s in scored if not s.right_decision]
        (args.out / "report.md").write_text(_markdown(m, args.split, args.bundle, threshold, errors), encoding="utf-8")
        (args.out / "metrics.json").write_text(json.dumps(m, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in m.items()
                      if k not in ("per_label", "noisy_changed") and (k != "breakdown" or not args.json)},
                     indent=None if args.json else 2))


if __name__ == "__main__":
    main()
