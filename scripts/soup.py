"""Average runs trained with different seeds into one model: a seed ensemble in one graph (issue 21, item 5).

    python -m scripts.train --seed 29 --out runs/s29                   # a second run, same settings but the seed
    python -m scripts.soup runs/v6 runs/s29 --out runs/soup            # uniform weight average ("model soup")
    python -m scripts.export --run runs/soup --out runs/soup/bundle    # exported like any run

A uniform "model soup" (Wortsman et al., ICML 2022): fine-tuned copies of one pretrained encoder that differ only
in their seed (data order and dropout: scripts.train starts the new layers from split_seed's weights in every run)
tend to stay in one basin, so the average of their weights scores like the average of their predictions at the
cost of one model. The result is a run folder like any other, so the
export fits its own temperature on val and proves int8 parity as usual. The slot layer is refitted on the averaged
encoder (scripts.joint.refit_slot_head): each run's slot layer was fitted to its own encoder.

Refuses runs that differ in anything but the seed (labels, slot tags, data, split, settings, tensor names or
shapes): their average would mean nothing. Averaging is only a candidate: compare it with its members on val
(scripts.evaluate, scripts.evaluate_external) before shipping it.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from core.errors import ConfigError
from core.spelling import LEXICON_FILE

WEIGHTS = "model.safetensors"
# Settings that may differ between the averaged runs: the seed is the point, the rest describe the run itself.
FREE = ("seed", "out")
COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json")  # identical in every member (checked)


def _summary(run: Path) -> dict[str, Any]:
    path = run / "train_config.json"
    missing = [str(p.relative_to(run)) for p in (path, run / "model" / WEIGHTS) if not p.is_file()]
    if missing:
        raise ConfigError(f"{run}: expected a run folder written by scripts.train (train_config.json, "
                          f"model/{WEIGHTS}); {', '.join(missing)} missing. Train it first.")
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


def check_compatible(runs: Sequence[Path]) -> list[dict[str, Any]]:
    """The runs' summaries, after checking they differ only in FREE settings and share splits and files."""
    if len(runs) < 2:
        raise ConfigError(f"expected at least two runs to average, found {len(runs)}.")
    from scripts.train import run_settings

    summaries = [_summary(run) for run in runs]
    first, first_run = summaries[0], runs[0]
    reference = {k: v for k, v in run_settings(first).items() if k not in FREE}
    for run, summary in zip(runs[1:], summaries[1:], strict=True):
        own = {k: v for k, v in run_settings(summary).items() if k not in FREE}
        differ = sorted(k for k in reference.keys() | own.keys() if reference.get(k) != own.get(k))
        if differ or summary["labels"] != first["labels"] or summary.get("slot_tags") != first.get("slot_tags"):
            raise ConfigError(f"{run} and {first_run} must differ only in {FREE}; found different "
                              f"{differ or 'labels or slot tags'}. Retrain with the same settings and another seed.")
        if (run / LEXICON_FILE).is_file() != (first_run / LEXICON_FILE).is_file():
            raise ConfigError(f"{run} and {first_run} must both have a {LEXICON_FILE} or neither; retrain them alike.")
        lexicon = (LEXICON_FILE,) if (first_run / LEXICON_FILE).is_file() else ()
        for name in ("splits.json", *lexicon, *(f"model/{f}" for f in COPIED)):
            if (run / name).read_bytes() != (first_run / name).read_bytes():
                raise ConfigError(f"{run}/{name} differs from {first_run}/{name}: the runs did not see the same "
                                  "data or tokenizer. Retrain from the same intents file and backbone.")
    return summaries


def average(files: Sequence[Path]) -> dict[str, torch.Tensor]:
    """Uniform average of safetensors files with the same tensor names and shapes (floats only)."""
    from safetensors.torch import load_file

    total: dict[str, torch.Tensor] = {}
    dtypes: dict[str, torch.dtype] = {}
    for path in files:
        tensors = load_file(str(path))
        if total and (tensors.keys() != total.keys()
                      or any(tensors[k].shape != total[k].shape for k in total)):
            raise ConfigError(f"{path}: expected the tensor names and shapes of {files[0]}; found others. "
                              "Average only runs of one backbone and one label set.")
        for name, tensor in tensors.items():
            dtypes.setdefault(name, tensor.dtype)
            if not tensor.is_floating_point():  # position ids and the like: never trained, so equal in every run
                if name in total and not torch.equal(total[name], tensor):
                    raise ConfigError(f"{path}: expected {name} equal to {files[0]}'s (a fixed, untrained tensor); "
                                      "found other values. Average only runs of one backbone.")
                total.setdefault(name, tensor)
                continue
            total[name] = total.get(name, torch.zeros_like(tensor, dtype=torch.float64)) + tensor.double()
    return {k: (v / len(files)).to(dtypes[k]).contiguous() if v.is_floating_point() else v
            for k, v in total.items()}


def soup(runs: Sequence[Path], out: Path, refit_slots: bool = True) -> dict[str, Any]:
    """Write OUT as a run folder holding the average of RUNS; returns its summary."""
    from safetensors.torch import save_file

    summaries = check_compatible(runs)
    (out / "model").mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copyfile(runs[0] / "model" / name, out / "model" / name)
    shutil.copyfile(runs[0] / "splits.json", out / "splits.json")
    lexicon = runs[0] / LEXICON_FILE  # byte for byte the same in every run (checked above)
    if lexicon.is_file():
        shutil.copyfile(lexicon, out / LEXICON_FILE)
    else:
        (out / LEXICON_FILE).unlink(missing_ok=True)
    save_file(average([run / "model" / WEIGHTS for run in runs]), str(out / "model" / WEIGHTS),
              metadata={"format": "pt"})
    from scripts.joint import SLOT_HEAD_FILE, refit_slot_head

    heads = [run / "model" / SLOT_HEAD_FILE for run in runs]
    if all(h.is_file() for h in heads):  # a start for the refit, and the slot layer when it is skipped
        save_file(average(heads), str(out / "model" / SLOT_HEAD_FILE))
    first = summaries[0]
    summary = {"config": {**first["config"], "out": str(out)}, "labels": first["labels"],
               "slot_tags": first.get("slot_tags"), "soup_of": [str(r) for r in runs],
               "seeds": [s["config"]["seed"] for s in summaries],
               "train_seconds": round(sum(s.get("train_seconds", 0.0) for s in summaries), 1),
               "train_rows": first.get("train_rows"), "train_sources": first.get("train_sources")}
    steps = int(first["config"].get("slot_refit_steps", 0))
    (out / "train_config.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    if refit_slots and steps and summary["slot_tags"]:
        summary.update(refit_slot_head(out, steps, seed=int(first["config"]["seed"])))
        (out / "train_config.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=Path, nargs="+", help="run folders trained with different seeds")
    parser.add_argument("--out", type=Path, required=True, help="run folder to write")
    parser.add_argument("--no-slot-refit", action="store_true", help="keep the averaged slot layer as it is")
    args = parser.parse_args(argv)
    summary = soup(args.runs, args.out, refit_slots=not args.no_slot_refit)
    print(json.dumps({k: summary.get(k) for k in ("soup_of", "seeds", "slot_refit_val_token_accuracy")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
