"""Does a new intent work from ~40 examples? Adds a held-out intent, trains, and measures it (issue 21, item 6).

    python -m scripts.evaluate_new_intent --baseline-run runs/default --out runs/new-intent
    python -m scripts.evaluate_new_intent --baseline-run runs/default --baseline-bundle resources/model --out O
    python -m scripts.evaluate_new_intent --baseline-run R --out O --base-model DIR --epochs 3 --fp32   # quick
    python -m scripts.evaluate_new_intent --baseline-run runs/v11 --noise-share 0.25 --out O   # a run with copies

The baseline run must be trained the way this script trains (its settings are compared and any difference is
reported): against a run trained with noisy copies (runs/v10, v11), pass --noise-share 0.25. runs/v6 trained
before lexicons too; the shipped bundle (resources/model) is that run with its lexicon added afterwards, which
reads its training rows exactly as written, so `--baseline-bundle resources/model` compares like with like
(the report still lists `lexicon` under baseline_config_differs).

1. Adds the intent of scripts/eval/new_intent_returns.yaml (get_returns: its 40 training examples, half Spanish) to
   a copy of the intents file (OUT/intents.yaml), as a deployer would. The copy is split like any intents file (by
   a hash of each text), so about 24 of the 40 are trained on and the rest land in val/test: what a deployer gets.
2. Trains with scripts.train (OUT/run; --epochs, --base-model, --seed, --outlier-rows as in scripts.train) and
   exports the run (OUT/bundle; int8 as shipped, or --fp32).
3. Reports, through the app's decision function (core.policy.ClarificationPolicy at the bundle's threshold, each
   request scored alone):
   - the 20 separate test paraphrases (never trained on, worded differently): routed right without asking
     (target >= 90 %), asked to clarify, routed to another intent; per language; every miss;
   - the other intents: the baseline run's val rows scored by the new bundle and by the baseline bundle
     (--baseline-bundle, else the baseline run exported the same way to OUT/baseline-bundle): per intent routed
     right without asking, out of scope caught, right decisions, and the change.
Writes OUT/new_intent.json and prints it. Compare like with like: the baseline should be trained with the same
settings (differences are listed under "baseline_config_differs").
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.intents import OUT_OF_SCOPE, load_dataset
from scripts.data import Row, Splits

ROOT = Path(__file__).resolve().parent.parent
ITEM = ROOT / "scripts" / "eval" / "new_intent_returns.yaml"
TARGET = 0.90  # share of the test paraphrases routed right without asking (issue 21)
# run settings that must match the baseline's to compare
COMPARED = ("base_model", "epochs", "seed", "split_seed", "learning_rate", "batch_size", "outlier_rows",
            "public_in_scope_rows", "text_prefix", "balance_floor", "contrastive_weight", "layer_decay", "patience",
            "noise_share", "lexicon")


@dataclass(frozen=True)
class NewIntent:
    name: str
    display_name: dict[str, str]
    description: dict[str, str]
    train: tuple[str, ...]  # what the deployer writes into the intents file
    test: tuple[str, ...]  # how customers then ask: never trained on

    @staticmethod
    def load(path: Path) -> NewIntent:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        item = NewIntent(str(raw["name"]), dict(raw["display_name"]), dict(raw["description"]),
                         tuple(str(t) for t in raw["train"]), tuple(str(t) for t in raw["test"]))
        overlap = set(item.train) & set(item.test)
        if not item.train or not item.test or overlap:
            raise ValueError(f"{path}: expected separate non-empty 'train' and 'test' lists; found "
                             f"{len(item.train)} / {len(item.test)} rows, shared: {sorted(overlap)}")
        return item


def dataset_with_intent(data: Path, item: NewIntent, out: Path) -> Path:
    """A copy of the intents file with the new intent added; validated like the real one (duplicates refused)."""
    raw = yaml.safe_load(data.read_text(encoding="utf-8"))
    if any(i.get("name") == item.name for i in raw["intents"]):
        raise ValueError(f"{data} already has an intent {item.name!r}: the held-out intent must be new to it.")
    raw["intents"].append({"name": item.name, "display_name": item.display_name, "description": item.description,
                           "examples": list(item.train)})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    load_dataset(out)  # raises DatasetError naming a duplicate or malformed row
    return out


def export(run: Path, out: Path, fp32: bool) -> Path:
    from scripts.export import FP32, ExportOptions, export_bundle

    export_bundle(run, out, ExportOptions(quantize_embeddings=not fp32, linear=FP32) if fp32 else ExportOptions())
    return out


def decide(bundle: Path, rows: Sequence[Row]) -> list[Any]:
    """Each row scored alone (as the app does) and decided by ClarificationPolicy at the bundle's threshold."""
    from core.engine import Engine
    from scripts.evaluate import score_rows

    return score_rows(Engine(bundle), rows, batch=1)


def _rate(hits: Sequence[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def paraphrase_figures(scored: Sequence[Any]) -> dict[str, Any]:
    """Routed right without asking, asked, routed elsewhere; per language; the misses."""
    def figures(group: Sequence[Any]) -> dict[str, Any]:
        return {"rows": len(group), "routed_right": _rate([s.right and s.routed for s in group]),
                "asked": _rate([not s.routed for s in group]),
                "routed_elsewhere": _rate([s.routed and not s.right for s in group])}

    return {**figures(scored), **{f"language_{lang}": figures([s for s in scored if s.language == lang])
                                  for lang in ("es", "en")},
            "misses": [{"text": s.text, "intent": s.prediction.intent,
                        "confidence": round(s.prediction.confidence, 4), "asked": not s.routed}
                       for s in scored if not (s.right and s.routed)]}


def other_intent_figures(scored: Sequence[Any]) -> dict[str, Any]:
    """Per in-scope intent: routed right without asking; out of scope: caught (not routed); all: right decisions."""
    labels = sorted({s.gold for s in scored} - {OUT_OF_SCOPE})
    out: dict[str, Any] = {label: _rate([s.right and s.routed for s in scored if s.gold == label]) for label in labels}
    out["out_of_scope_caught"] = _rate([not s.routed for s in scored if s.gold == OUT_OF_SCOPE])
    out["right_decisions"] = sum(s.right_decision for s in scored)
    out["rows"] = len(scored)
    return out


def change(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    return {k: round(new[k] - old[k], 4) for k in new if isinstance(new.get(k), (int, float))
            and isinstance(old.get(k), (int, float)) and k != "rows"}


def _splits(run: Path) -> Splits:
    return Splits.from_json(json.loads((run / "splits.json").read_text(encoding="utf-8")))


def _config(run: Path) -> dict[str, Any]:
    from scripts.train import run_settings

    return run_settings(json.loads((run / "train_config.json").read_text(encoding="utf-8")))


def evaluate_new_intent(item: NewIntent, data: Path, baseline_run: Path, out: Path, *, base_model: str | None = None,
                        epochs: int | None = None, seed: int | None = None, outlier_rows: int | None = None,
                        public_in_scope_rows: int | None = None, contrastive_weight: float | None = None,
                        patience: int | None = None, noise_share: float | None = None, fp32: bool = False,
                        baseline_bundle: Path | None = None, lexicon: str | None = None) -> dict[str, Any]:
    from scripts.train import TrainConfig, train

    chosen = {"base_model": base_model, "epochs": epochs, "seed": seed, "outlier_rows": outlier_rows,
              "public_in_scope_rows": public_in_scope_rows, "contrastive_weight": contrastive_weight,
              "patience": patience, "noise_share": noise_share, "lexicon": lexicon}
    overrides = {k: v for k, v in chosen.items() if v is not None}
    dataset = dataset_with_intent(data, item, out / "intents.yaml")
    run = train(TrainConfig(data=str(dataset), out=str(out / "run"), **overrides))  # type: ignore[arg-type]
    bundle = export(run, out / "bundle", fp32)
    if baseline_bundle is None:
        baseline_bundle = out / "baseline-bundle"
        if not (baseline_bundle / "manifest.json").is_file():
            export(baseline_run, baseline_bundle, fp32)
    splits, base_splits = _splits(run), _splits(baseline_run)
    new_config, base_config = _config(run), _config(baseline_run)
    # the baseline's val rows: the same requests for both bundles (none of them is a returns request)
    other_rows = [r for r in base_splits.val if r[1] != item.name]
    new_other = other_intent_figures(decide(bundle, other_rows))
    old_other = other_intent_figures(decide(baseline_bundle, other_rows))
    paraphrases = paraphrase_figures(decide(bundle, [(t, item.name) for t in item.test]))
    own_val = [r for r in splits.val if r[1] == item.name]
    report = {
        "intent": item.name,
        "examples_written": len(item.train),
        "examples_by_split": {part: sum(label == item.name for _, label in getattr(splits, part))
                              for part in ("train", "val", "test")},
        "test_paraphrases": paraphrases,
        "target": TARGET,
        "target_met": (paraphrases["routed_right"] or 0.0) >= TARGET,
        "own_val_routed_right": paraphrase_figures(decide(bundle, own_val))["routed_right"] if own_val else None,
        "other_intents_val": {"new": new_other, "baseline": old_other, "change": change(new_other, old_other)},
        "run": str(run), "bundle": str(bundle), "baseline_run": str(baseline_run),
        "baseline_bundle": str(baseline_bundle),
        "baseline_config_differs": {k: {"new": new_config.get(k), "baseline": base_config.get(k)}
                                    for k in COMPARED if new_config.get(k) != base_config.get(k)},
    }
    (out / "new_intent.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline-run", type=Path, required=True,
                        help="run folder (scripts.train) without the new intent, trained the same way")
    parser.add_argument("--baseline-bundle", type=Path, help="that run's bundle (else exported to OUT)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "new-intent")
    parser.add_argument("--item", type=Path, default=ITEM, help="the held-out intent: name, train and test lists")
    parser.add_argument("--data", type=Path, default=ROOT / "resources" / "intents.yaml")
    parser.add_argument("--base-model", help="as scripts.train --base-model (default: scripts.train's)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--outlier-rows", type=int, help="as scripts.train --outlier-rows (0 turns it off)")
    parser.add_argument("--contrastive-weight", type=float, help="as scripts.train --contrastive-weight")
    parser.add_argument("--patience", type=int, help="as scripts.train --patience (a baseline trained with it)")
    parser.add_argument("--noise-share", type=float, help="as scripts.train --noise-share (0 turns it off)")
    parser.add_argument("--lexicon", choices=("", "own", "public"), help="as scripts.train --lexicon")
    parser.add_argument("--fp32", action="store_true", help="export fp32 graphs (faster; not the shipped int8)")
    args = parser.parse_args(argv)
    report = evaluate_new_intent(NewIntent.load(args.item), args.data, args.baseline_run, args.out,
                                 base_model=args.base_model, epochs=args.epochs, seed=args.seed,
                                 outlier_rows=args.outlier_rows, contrastive_weight=args.contrastive_weight,
                                 patience=args.patience, noise_share=args.noise_share,
                                 fp32=args.fp32, baseline_bundle=args.baseline_bundle, lexicon=args.lexicon)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
