"""Figures for taught requests (core/memory.py): how many variants and paraphrases route as taught, how many
other requests would change, the added latency, and the calibration of the match threshold.

    python -m scripts.evaluate_teaching [--json]

Data: scripts/eval/teaching_paraphrases.yaml (taught requests with light variants and close paraphrases;
even items calibrate, odd items are held out) and, as "every other request", the test split of
resources/intents.yaml plus the CLINC150 and SNIPS test splits from ../shared/datasets when present (val
splits for the calibration). No model is needed: a taught request overrides the classifier exactly when
it matches, so a match on another request is an answer that may change (an upper bound).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from core import memory as memory_module
from core.memory import TeachingMemory, similarity, teach_key
from core.storage import Storage
from scripts.data import load_jsonl_splits, load_yaml_splits
from scripts.shared_data import source_path

ROOT = Path(__file__).resolve().parent.parent
PARAPHRASES = ROOT / "scripts" / "eval" / "teaching_paraphrases.yaml"
BENCHMARKS = {name: source_path(name) for name in ("clinc150", "snips")}  # the shared folder: scripts.shared_data
THRESHOLDS = [round(0.50 + 0.02 * i, 2) for i in range(24)]  # 0.50 .. 0.96
MARGIN = 0.08  # added to the lowest safe threshold: the val requests are not every request a user will type


def other_requests(split: str) -> dict[str, list[str]]:
    """The texts of `split` (val or test) of the intents file and of each benchmark found."""
    yaml_splits = load_yaml_splits(ROOT / "resources" / "intents.yaml")
    found = {"intents": [t for t, _ in getattr(yaml_splits, split)]}
    for name, path in BENCHMARKS.items():
        if path.is_file():
            found[name] = [t for t, _ in getattr(load_jsonl_splits(path), split)]
    return found


def best_similarity(text: str, keys: list[str]) -> float:
    key = teach_key(text)
    return max((similarity(key, k) for k in keys), default=0.0) if key else 0.0


def rate(hits: list[bool]) -> float:
    return round(sum(hits) / len(hits), 4) if hits else float("nan")


def figures_at(items: list[dict[str, Any]], others: dict[str, list[str]], threshold: float) -> dict[str, Any]:
    keys = [teach_key(i["taught"]) for i in items]
    variants = [best_similarity(v, keys) >= threshold for i in items for v in i["variants"]]
    paraphrases = [best_similarity(p, keys) >= threshold for i in items for p in i["paraphrases"]]
    matched = {name: [t for t in texts if best_similarity(t, keys) >= threshold] for name, texts in others.items()}
    return {"threshold": threshold, "variants_routed_as_taught": rate(variants),
            "paraphrases_routed_as_taught": rate(paraphrases), "variants": len(variants),
            "paraphrases": len(paraphrases), "other_requests_changed": {n: len(m) for n, m in matched.items()},
            "other_requests_matched": matched,
            "other_requests": {name: len(texts) for name, texts in others.items()}}


def answers_changed(items: list[dict[str, Any]], matched: list[str], bundle: Path) -> list[dict[str, str]]:
    """Of the other requests that match a taught one, those whose answer the match changes: the bundle's own
    decision (an intent, or "ask"/"decline") differs from the taught intent."""
    if not matched:
        return []
    from core.engine import Engine
    from core.policy import ClarificationPolicy

    engine = Engine(bundle)
    policy = ClarificationPolicy(engine.info.default_threshold)
    memory = {teach_key(i["taught"]): i["intent"] for i in items}
    out = []
    for text, scores in zip(matched, engine.score(matched), strict=True):
        p = policy.decide(scores, engine.info.out_of_scope_labels)
        before = "ask or decline" if p.needs_clarification else p.intent
        key = teach_key(text)
        taught = memory[max(memory, key=lambda k: similarity(key, k))]
        if before != taught:
            out.append({"text": text, "before": before, "taught": taught})
    return out


def calibrate(items: list[dict[str, Any]], others: dict[str, list[str]]) -> tuple[float, list[dict[str, Any]]]:
    """The lowest threshold from which on no other (val) request matches a taught one, plus MARGIN."""
    table = [figures_at(items, others, t) for t in THRESHOLDS]
    lowest = 1.0
    for row in reversed(table):
        if sum(row["other_requests_changed"].values()):
            break
        lowest = row["threshold"]
    return round(min(1.0, lowest + MARGIN), 2), table


def latency(items: list[dict[str, Any]], taught_count: int) -> dict[str, float]:
    """p50/p95 of TeachingMemory.match in microseconds with `taught_count` taught requests in SQLite."""
    with tempfile.TemporaryDirectory() as folder:
        storage = Storage(Path(folder) / "db.sqlite3")
        memory = TeachingMemory(storage)
        texts = [i["taught"] for i in items]
        for n in range(taught_count):
            memory.teach(texts[n % len(texts)] + (f" {n}" if n >= len(texts) else ""), "get_news", ("get_news",))
        probes = [p for i in items for p in i["paraphrases"]] * 5
        times = []
        for text in probes:
            start = time.perf_counter()
            memory.match(text)
            times.append((time.perf_counter() - start) * 1e6)
        storage.close()
    times.sort()
    return {"taught": taught_count, "p50_us": round(statistics.median(times), 1),
            "p95_us": round(times[int(0.95 * len(times))], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--bundle", type=Path, default=ROOT / "resources" / "model",
                        help="the bundle whose answers a match would change")
    args = parser.parse_args(argv)
    items = yaml.safe_load(PARAPHRASES.read_text(encoding="utf-8"))
    calibration, held_out = items[0::2], items[1::2]
    chosen, table = calibrate(calibration, other_requests("val"))
    held_figures = figures_at(held_out, other_requests("test"), memory_module.SIMILARITY)
    matched = [t for texts in held_figures.pop("other_requests_matched").values() for t in texts]
    held_figures["answers_changed"] = answers_changed(held_out, matched, args.bundle)
    report: dict[str, Any] = {
        "calibrated_threshold": chosen, "shipped_threshold": memory_module.SIMILARITY,
        "calibration": [{k: row[k] for k in ("threshold", "variants_routed_as_taught", "paraphrases_routed_as_taught",
                                             "other_requests_changed")} for row in table],
        "held_out": held_figures,
        "latency": [latency(items, n) for n in (len(items), 1000)],
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    held = report["held_out"]
    print(f"threshold: calibrated {chosen}, shipped {memory_module.SIMILARITY}")
    print(f"held out ({len(held_out)} taught requests): variants routed as taught "
          f"{held['variants_routed_as_taught']:.0%} of {held['variants']}, close paraphrases "
          f"{held['paraphrases_routed_as_taught']:.0%} of {held['paraphrases']}")
    for name, count in held["other_requests_changed"].items():
        print(f"other requests matching a taught one, {name} test: {count} of {held['other_requests'][name]}")
    print(f"of those, answers changed (the bundle answered otherwise): {len(held['answers_changed'])}")
    for change in held["answers_changed"]:
        print(f"  {change['text']!r}: {change['before']} -> {change['taught']}")
    for row in report["latency"]:
        print(f"match latency with {row['taught']} taught: p50 {row['p50_us']} µs, p95 {row['p95_us']} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
