"""Slot tagging figures: our own held-out split per language, MTOD datetime spans (es/en), SNIPS slots.

    python -m scripts.evaluate_slots --split val                       # own val + MTOD val, shipped bundle
    python -m scripts.evaluate_slots --split test                      # once, at the end
    python -m scripts.evaluate_slots --split test --snips-run runs/snips-joint   # + SNIPS test (a run, see below)

Own split: the annotated examples of resources/intents.yaml in the bundle's split (scripts/data.py, the fixed
split seed), each request scored alone by core.engine.Engine as the app does; a predicted slot counts when its
name, start and end equal an annotation's (exact span match, micro-averaged; conlleval's rule). Beside the model,
the rule tagger (core/slots.py, the fallback) on the same rows: the annotations were first suggested by those
rules (scripts/annotate.py) and then corrected and extended by hand, so the rules' figure is an upper bound of
what rules reach, not an independent baseline.

MTOD: its `datetime` spans against the union of our `day`, `time` and `part_of_day` spans (adjacent ones
merged: "el domingo" + "por la noche"), exact and per word. Our model never saw MTOD slot labels (transfer).

SNIPS: the same joint architecture and training code on SNIPS's own train split (its 39 slot names, BIO tags in
../shared/datasets/snips/snips_slots.jsonl), evaluated on its test split, eager fp32, against JointBERT (Chen et
al. 2019: 97.0 slot F1, 98.6 % intent accuracy):

    python -m scripts.train --data ../shared/datasets/snips/snips_slots.jsonl --out runs/snips-joint --epochs 3

Writes reports/slots/<split>.json and .md.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from core.language import guess_language
from core.slots import Slot, decode_tags, tag
from scripts.shared_data import REPO, shared_datasets_dir

REPORTS = REPO / "reports" / "slots"
TIME_SLOTS = ("day", "time", "part_of_day")
Span = tuple[int, int, str]


def prf(gold: Sequence[set[Any]], pred: Sequence[set[Any]]) -> dict[str, float]:
    """Micro precision, recall and F1 of predicted items against gold items, row by row."""
    hit = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    precision = hit / n_pred if n_pred else 1.0
    recall = hit / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "gold": n_gold, "predicted": n_pred}


def spans_of(slots: Iterable[Slot]) -> set[Span]:
    return {(s.start, s.end, s.name) for s in slots}


# ---- own split ------------------------------------------------------------------------------------------------


OwnRow = tuple[str, str, tuple[Span, ...]]  # text, intent, annotated spans


def own_rows(split: str, data: Path) -> list[OwnRow]:
    from scripts.data import SPLIT_SEED, load_yaml_splits

    splits = load_yaml_splits(data, SPLIT_SEED)
    rows = {"val": splits.val, "test": splits.test, "train": splits.train}[split]
    return [(text, label, splits.slot_spans[text]) for text, label in rows if text in splits.slot_spans]


def evaluate_own(engine: Any, rows: list[OwnRow]) -> dict[str, Any]:
    from scripts.annotate import fits

    out: dict[str, Any] = {}
    by_lang: dict[str, list[OwnRow]] = {}
    for row in rows:
        by_lang.setdefault(guess_language(row[0]), []).append(row)
    for lang, items in sorted(by_lang.items()):
        gold = [set(spans) for _, _, spans in items]
        model = [spans_of(engine.score([text])[0].slots) for text, _, _ in items]
        # the rules as scripts/annotate.py applied them: only the slots the row's intent reads
        rules = [spans_of(s for s in tag(text, lang) if fits(s, intent)) for text, intent, _ in items]
        names = sorted({n for g in gold for _, _, n in g})
        out[lang] = {"rows": len(items), "model": prf(gold, model), "rules": prf(gold, rules),
                     "model_by_slot": {n: prf([{s for s in g if s[2] == n} for g in gold],
                                              [{s for s in p if s[2] == n} for p in model]) for n in names},
                     "model_misses": [{"text": t, "gold": sorted(g), "model": sorted(p)}
                                      for (t, _, _), g, p in zip(items, gold, model, strict=True) if g != p][:25]}
    return out


# ---- MTOD datetime --------------------------------------------------------------------------------------------


def merge_adjacent(text: str, spans: Sequence[Span], gap_words: int = 1) -> list[tuple[int, int]]:
    """Time spans joined when at most `gap_words` words lie between them ("el domingo [en] la noche")."""
    merged: list[list[int]] = []
    for start, end, _ in sorted(spans):
        if merged and len(text[merged[-1][1]:start].split()) <= gap_words:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def words_in(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    """Indices of the whitespace-separated words that overlap any span."""
    out, at = set(), 0
    for index, word in enumerate(text.split()):
        start = text.index(word, at)
        at = start + len(word)
        if any(start < b and a < at for a, b in spans):
            out.add(index)
    return out


def evaluate_mtod(engine: Any, split: str) -> dict[str, Any]:
    path = shared_datasets_dir() / "mtod" / "mtod.jsonl"
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    out: dict[str, Any] = {}
    for lang in ("es", "en"):
        items = [r for r in rows if r["split"] == split and r["lang"] == lang]
        gold_spans, pred_spans, gold_words, pred_words, rule_spans, rule_words = [], [], [], [], [], []
        for row in items:
            text = row["text"]
            gold = {(s["start"], s["end"]) for s in row["slots"] if s["label"] == "datetime"}
            scores = engine.score([text])[0]
            if scores.text != text:  # cleaned (spaces, controls): compare on the cleaned text's words only
                gold = set()
                text = scores.text
            mine = merge_adjacent(text, [(s.start, s.end, s.name) for s in scores.slots if s.name in TIME_SLOTS])
            rules = merge_adjacent(text, [(s.start, s.end, s.name) for s in tag(text, lang) if s.name in TIME_SLOTS])
            rule_spans.append(set(rules))
            rule_words.append(words_in(text, rules))
            gold_spans.append(gold)
            pred_spans.append(set(mine))
            gold_words.append(words_in(text, gold))
            pred_words.append(words_in(text, mine))
        out[lang] = {"rows": len(items), "exact_span": prf(gold_spans, pred_spans),
                     "per_word": prf(gold_words, pred_words), "rules_exact_span": prf(gold_spans, rule_spans),
                     "rules_per_word": prf(gold_words, rule_words)}
    return out


# ---- SNIPS (a run trained on it) -------------------------------------------------------------------------------


def evaluate_snips_run(run: Path, split: str) -> dict[str, Any]:
    """Slot F1 (exact word spans) and intent accuracy of a joint run on SNIPS's split, eager fp32."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from core.text import model_form_with_origin
    from scripts.data import load_jsonl_splits
    from scripts.joint import load_slot_head

    summary = json.loads((run / "train_config.json").read_text(encoding="utf-8"))
    config = summary["config"]
    tags, labels = summary["slot_tags"], summary["labels"]
    splits = load_jsonl_splits(Path(config["data"]))
    rows = {"val": splits.val, "test": splits.test}[split]
    tokenizer = AutoTokenizer.from_pretrained(str(run / "model"))
    model = AutoModelForSequenceClassification.from_pretrained(str(run / "model")).eval()
    head = load_slot_head(run / "model", int(model.config.hidden_size), len(tags))
    if head is None:
        raise SystemExit(f"{run} has no slot layer: train it with this version of scripts/train.py.")
    prefix, form = str(config.get("text_prefix", "")), str(config.get("text_form", ""))
    from scripts.lexicon import run_speller

    speller = run_speller(run, form)  # the run's lexicon, as the engine would read the rows
    gold, pred, right = [], [], 0
    with torch.inference_mode():
        for start in range(0, len(rows), 64):
            chunk = rows[start:start + 64]
            forms = [model_form_with_origin(text, form, speller) for text, _ in chunk]
            model_texts = [prefix + f for f, _ in forms]
            enc = tokenizer(model_texts, padding=True, truncation=True, max_length=128, return_tensors="pt",
                            return_offsets_mapping=True)
            out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], output_hidden_states=True)
            slot_ids = head(out.hidden_states[-1]).argmax(-1)
            intents = out.logits.argmax(-1).tolist()
            for k, (text, label) in enumerate(chunk):
                right += labels[intents[k]] == label
                keep = enc["attention_mask"][k].bool()
                offsets = [tuple(o) for o in enc["offset_mapping"][k][keep].tolist()]
                spans = decode_tags(slot_ids[k][keep].tolist(), offsets, model_texts[k], len(prefix), forms[k][1], tags)
                pred.append(word_spans(text, _raw_words(text, spans)))
                gold.append(word_spans(text, splits.slot_spans.get(text, ())))
    return {"rows": len(rows), "slot": prf(gold, pred), "intent_accuracy": round(right / len(rows), 4),
            "reference": {"model": "JointBERT (Chen et al. 2019)", "slot_f1": 0.970, "intent_accuracy": 0.986}}


def word_spans(text: str, spans: Iterable[Span]) -> set[tuple[int, int, str]]:
    """(first word, last word, name) of each span: conlleval's unit."""
    out = set()
    for start, end, name in spans:
        words = words_in(text, [(start, end)])
        if words:
            out.add((min(words), max(words), name))
    return out


def _raw_words(text: str, spans: Sequence[Span]) -> list[Span]:
    """Spans widened to whole space-separated words (SNIPS names are not ours, so no Slot objects)."""
    out = []
    for start, end, name in spans:
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        out.append((start, end, name))
    return out


# ---- report ---------------------------------------------------------------------------------------------------


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Slot tagging — {report['split']} split", "", f"Bundle: `{report['bundle']}`", "",
             "| Set | Language | Rows | Model P | Model R | Model F1 | Rules F1 |", "|---|---|---|---|---|---|---|"]
    for lang, figures in report["own"].items():
        m, r = figures["model"], figures["rules"]
        lines.append(f"| own | {lang} | {figures['rows']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} "
                     f"| {r['f1']:.3f} |")
    for lang, figures in report.get("mtod", {}).items():
        e, w = figures["exact_span"], figures["per_word"]
        lines.append(f"| MTOD datetime (exact span) | {lang} | {figures['rows']} | {e['precision']:.3f} | "
                     f"{e['recall']:.3f} | {e['f1']:.3f} | {figures['rules_exact_span']['f1']:.3f} |")
        lines.append(f"| MTOD datetime (per word) | {lang} | {figures['rows']} | {w['precision']:.3f} | "
                     f"{w['recall']:.3f} | {w['f1']:.3f} | {figures['rules_per_word']['f1']:.3f} |")
    if report.get("snips"):
        s = report["snips"]
        lines += ["", f"SNIPS {report['split']} ({s['rows']} rows), joint model trained on SNIPS train: slot F1 "
                  f"{s['slot']['f1']:.3f} (P {s['slot']['precision']:.3f}, R {s['slot']['recall']:.3f}), intent "
                  f"accuracy {s['intent_accuracy']:.3f}; JointBERT 0.970 / 0.986."]
    lines += ["", "Own split per slot (model F1):", ""]
    for lang, figures in report["own"].items():
        parts = ", ".join(f"{n} {v['f1']:.3f} ({v['gold']})" for n, v in figures["model_by_slot"].items())
        lines.append(f"- {lang}: {parts}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from core.engine import Engine

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("val", "test"), default="val")
    parser.add_argument("--bundle", type=Path, default=REPO / "resources" / "model")
    parser.add_argument("--data", type=Path, default=REPO / "resources" / "intents.yaml")
    parser.add_argument("--snips-run", type=Path, help="a run trained on snips_slots.jsonl (see the docstring)")
    parser.add_argument("--no-mtod", action="store_true")
    parser.add_argument("--out", type=Path, default=REPORTS)
    args = parser.parse_args(argv)
    engine = Engine(args.bundle)
    if not engine.manifest.slot_tags:
        print("note: this bundle has no slot layer; the model figures are empty (rules only)")
    report: dict[str, Any] = {"split": args.split, "bundle": str(args.bundle),
                              "own": evaluate_own(engine, own_rows(args.split, args.data))}
    if not args.no_mtod:
        report["mtod"] = evaluate_mtod(engine, args.split)
    if args.snips_run:
        report["snips"] = evaluate_snips_run(args.snips_run, args.split)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.split}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    text = markdown(report)
    (args.out / f"{args.split}.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
