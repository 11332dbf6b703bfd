"""Measure out-of-scope scores beside the softmax (issue 21, item 5): Mahalanobis and kNN on the model's vectors.

    python -m scripts.ood_scores --run runs/v6 --out reports/ablation/ood_val.json      # val splits only

For a trained run (fp32, eager), each request's [CLS] vector of the last layer is compared with the train split's
in-scope vectors: the Mahalanobis distance to the nearest intent mean under one shared, shrunk covariance (Lee et
al. 2018) and the cosine similarity to the nearest train request (kNN, k = 1). Each score, and the softmax's
in-scope confidence, is judged as an out-of-scope detector by its AUROC (1.0: every out-of-scope request scores
below every in-scope one) on our val split and on CLINC150's val split (mapped as in scripts.evaluate_external).
Nothing here changes the shipped bundle: it measures whether such a score is worth carrying into it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from core.conversation import SURE
from core.intents import OUT_OF_SCOPE


def auroc(inside: Sequence[float], outside: Sequence[float]) -> float:
    """P(an in-scope score > an out-of-scope score), ties counting half (the Mann-Whitney form of the AUROC)."""
    a, b = torch.tensor(list(inside)), torch.tensor(list(outside))
    greater = (a[:, None] > b[None, :]).float().sum() + 0.5 * (a[:, None] == b[None, :]).float().sum()
    return float(greater / (len(a) * len(b)))


def share(truth: torch.Tensor, mask: torch.Tensor) -> float | None:
    """The share of in-scope rows among those `mask` keeps (None when it keeps none)."""
    return round(float(truth[mask].float().mean()), 4) if bool(mask.any()) else None


def vectors(model: Any, tokenizer: Any, texts: Sequence[str], prefix: str, form: str,
            labels: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """([CLS] vectors of the last layer, in-scope softmax confidence) for each text, one at a time."""
    from core.text import model_form

    in_scope = [i for i, name in enumerate(labels) if name != OUT_OF_SCOPE]
    feats, conf = [], []
    with torch.inference_mode():
        for text in texts:
            enc = tokenizer(prefix + model_form(text, form), return_tensors="pt", truncation=True, max_length=128)
            out = model(**enc, output_hidden_states=True)
            feats.append(out.hidden_states[-1][0, 0])
            conf.append(float(out.logits.softmax(-1)[0, in_scope].max()))
    return torch.stack(feats), torch.tensor(conf)


def main(argv: list[str] | None = None) -> int:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from scripts.data import Splits
    from scripts.shared_data import load_public_records

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clinc-rows", type=int, default=1200, help="CLINC150 val rows (all in-scope ones kept)")
    args = parser.parse_args(argv)
    summary = json.loads((args.run / "train_config.json").read_text(encoding="utf-8"))
    config, labels = summary["config"], summary["labels"]
    splits = Splits.from_json(json.loads((args.run / "splits.json").read_text(encoding="utf-8")))
    tokenizer = AutoTokenizer.from_pretrained(str(args.run / "model"))
    model = AutoModelForSequenceClassification.from_pretrained(str(args.run / "model")).eval()
    prefix, form = str(config["text_prefix"]), str(config["text_form"])

    train = [(t, y) for t, y in dict.fromkeys(splits.train) if y != OUT_OF_SCOPE]
    train_x, _ = vectors(model, tokenizer, [t for t, _ in train], prefix, form, labels)
    names = sorted({y for _, y in train})
    means = torch.stack([train_x[[i for i, (_, y) in enumerate(train) if y == n]].mean(0) for n in names])
    centred = train_x - means[[names.index(y) for _, y in train]]
    cov = centred.T @ centred / len(train)
    cov = cov + 0.1 * cov.diagonal().mean() * torch.eye(cov.shape[0])  # shrinkage: 1,170 rows, 384 dims
    precision = torch.linalg.inv(cov)
    train_unit = torch.nn.functional.normalize(train_x, dim=1)

    def scores(texts: Sequence[str]) -> dict[str, torch.Tensor]:
        x, conf = vectors(model, tokenizer, texts, prefix, form, labels)
        diff = x[:, None, :] - means[None, :, :]
        maha = torch.einsum("nkd,de,nke->nk", diff, precision, diff).min(1).values
        knn = (torch.nn.functional.normalize(x, dim=1) @ train_unit.T).max(1).values
        return {"softmax": conf, "mahalanobis": -maha, "knn_cosine": knn, "softmax_x_knn": conf * knn}

    sets: dict[str, list[tuple[str, bool]]] = {
        "own val": [(t, y != OUT_OF_SCOPE) for t, y in splits.val],
    }
    clinc = [r for r in load_public_records("clinc150", "val")]
    inside = [r for r in clinc if r.label != OUT_OF_SCOPE]
    outside = [r for r in clinc if r.label == OUT_OF_SCOPE][: max(0, args.clinc_rows - len(inside))]
    sets["CLINC150 val"] = [(r.text, True) for r in inside] + [(r.text, False) for r in outside]
    report: dict[str, Any] = {"run": str(args.run), "feature": "[CLS] of the last layer", "sets": {}}
    cut = None  # the kNN similarity kept by 99 % of own val's in-scope "sure" rows (chosen on own val only)
    for name, rows in sets.items():
        got = scores([t for t, _ in rows])
        flags = [inside for _, inside in rows]
        sure = got["softmax"] >= SURE
        if cut is None:
            kept = got["knn_cosine"][sure & torch.tensor(flags)]
            cut = float(kept.quantile(0.01)) if len(kept) else 0.0
        gated = sure & (got["knn_cosine"] >= cut)
        truth = torch.tensor(flags)

        report["sets"].setdefault(name, {})["sure_gate"] = {
            "knn_cut": round(cut, 4), "sure_rows_softmax": int(sure.sum()),
            "sure_in_scope_share_softmax": share(truth, sure),
            "sure_rows_gated": int(gated.sum()), "sure_in_scope_share_gated": share(truth, gated)}
        report["sets"][name] = {
            **report["sets"][name],
            "in_scope": sum(flags), "out_of_scope": len(flags) - sum(flags),
            **{kind: round(auroc([float(v) for v, f in zip(values, flags, strict=True) if f],
                                 [float(v) for v, f in zip(values, flags, strict=True) if not f]), 4)
               for kind, values in got.items()}}
        print(name, report["sets"][name], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
