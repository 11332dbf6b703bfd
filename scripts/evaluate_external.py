"""Evaluate a bundle on public datasets nobody on this project wrote (CLINC150, SNIPS, MTOD es/en).

    python -m scripts.evaluate_external                          # val split, shipped bundle, its threshold
    python -m scripts.evaluate_external --limit 300              # quick look (< 1 minute), 300 rows a source
    python -m scripts.evaluate_external --bundle runs/x/bundle --threshold 0.8 --json reports/external/x.json
    python -m scripts.evaluate_external --split test             # once, at the end: tuning happens on val only

Rows and their mapping to our intents come from scripts.shared_data (the shared folder, $OFFLINE_ASSISTANT_SHARED).
Every request is scored alone through core.engine.Engine, as the app does (an int8 graph quantizes activations
per call, so a batch could move scores), and decided by ClarificationPolicy.decide, the app's one decision point;
a request made only of greetings/thanks is answered as small talk by the app, so it counts as "not acted on".
Per source and language: in-scope rows routed right without asking, in scope confidently wrong (acted on a wrong
intent), out of scope caught (not acted on), and the precision of the "sure" band (core.conversation.band).
Writes reports/external/<split>.json and .md unless --json / --md say otherwise; prints a table and, last, one
JSON summary line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.conversation import SURE, band, small_talk
from core.errors import InputTextError
from core.intents import OUT_OF_SCOPE
from core.policy import ClarificationPolicy
from core.prediction import Scorer
from scripts.shared_data import REPO, SOURCES, SPLITS, load_public_records, shared_datasets_dir

GROUPS = (("clinc150", "en"), ("snips", "en"), ("mtod", "en"), ("mtod", "es"))  # (source, language) reported
MISTAKES_SHOWN = 15  # most confident wrong decisions listed per source in the markdown
REPORTS = REPO / "reports" / "external"


@dataclass(frozen=True)
class ExternalRow:
    source: str  # clinc150, snips or mtod
    lang: str  # es or en (the dataset's, not a guess)
    text: str
    truth: str  # our intent or out_of_scope (scripts.shared_data mapping)
    source_intent: str  # the public label it came from


@dataclass(frozen=True)
class ScoredRow:
    row: ExternalRow
    intent: str  # the model's top label ("" when the engine refused the text)
    confidence: float  # its probability
    acted: bool  # the app would run an in-scope action without asking
    band: str  # sure | probably | unsure, as the user reads it
    decision: str  # act | ask (unsure) | decline (top label out of scope) | chat (small talk) | refused (no text)

    @property
    def in_scope(self) -> bool:
        return self.row.truth != OUT_OF_SCOPE

    @property
    def right(self) -> bool:
        """The decision a user wants: an in-scope request acted on with its intent, an out-of-scope one not acted on."""
        return (self.acted and self.intent == self.row.truth) if self.in_scope else not self.acted


def load_rows(split: str, limit: int | None = None, sources: Sequence[str] = tuple(SOURCES),
              root: Path | None = None) -> list[ExternalRow]:
    rows: list[ExternalRow] = []
    for source in sources:
        records = [ExternalRow(source, r.lang, r.text, r.label, r.source_intent)
                   for r in load_public_records(source, split, root)]
        rows.extend(sample(records, limit, f"{source}:{split}") if limit else records)
    return rows


def sample(rows: Sequence[ExternalRow], limit: int, seed: str) -> list[ExternalRow]:
    """`limit` rows, the same on every run: in-scope rows first (they are few: 60 of CLINC150's 3,100 val rows, and
    a plain random draw would leave a quick run almost none), then out-of-scope rows; file order kept."""
    rng = random.Random(seed)  # a str seed is hashed with SHA-512: stable across runs and machines
    order = list(range(len(rows)))
    rng.shuffle(order)
    inside = [i for i in order if rows[i].truth != OUT_OF_SCOPE]
    outside = [i for i in order if rows[i].truth == OUT_OF_SCOPE]
    return [rows[i] for i in sorted((inside + outside)[:limit])]


def score_rows(scorer: Scorer, rows: Sequence[ExternalRow], threshold: float,
               progress: Callable[[int, int], None] | None = None) -> list[ScoredRow]:
    """Score each request alone and decide it with the app's policy; small talk is not acted on (as in the app)."""
    policy = ClarificationPolicy(threshold)
    out: list[ScoredRow] = []
    for i, row in enumerate(rows):
        try:
            scores = scorer.score([row.text])[0]
        except InputTextError:  # nothing usable in the text: the app would say so and do nothing
            out.append(ScoredRow(row, "", 0.0, False, "unsure", "refused"))
            continue
        p = policy.decide(scores, scorer.info.out_of_scope_labels)
        chat = small_talk(p.text) is not None
        decision = "chat" if chat else ("act" if not p.needs_clarification else "decline" if p.out_of_scope else "ask")
        out.append(ScoredRow(row, p.intent, p.confidence, decision == "act", band(p.confidence, threshold), decision))
        if progress and (i + 1) % 1000 == 0:
            progress(i + 1, len(rows))
    return out


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def figures(group: Sequence[ScoredRow]) -> dict[str, Any]:
    """What a user sees on these rows, as rates (None where there is nothing to count) and counts."""
    inside = [s for s in group if s.in_scope]
    outside = [s for s in group if not s.in_scope]
    routed_right = sum(s.acted and s.intent == s.row.truth for s in inside)
    confidently_wrong = sum(s.acted and s.intent != s.row.truth for s in inside)
    caught = sum(not s.acted for s in outside)
    sure = [s for s in group if s.acted and s.band == "sure"]
    sure_right = sum(s.intent == s.row.truth for s in sure)
    return {
        "rows": len(group), "in_scope_rows": len(inside), "oos_rows": len(outside),
        "in_scope_routed_right": _rate(routed_right, len(inside)),
        "in_scope_confidently_wrong": _rate(confidently_wrong, len(inside)),
        "oos_caught": _rate(caught, len(outside)),
        "sure_precision": _rate(sure_right, len(sure)),
        "counts": {"in_scope_routed_right": routed_right, "in_scope_confidently_wrong": confidently_wrong,
                   "in_scope_asked": len(inside) - routed_right - confidently_wrong, "oos_caught": caught,
                   "oos_acted": len(outside) - caught, "sure_acts": len(sure), "sure_right": sure_right,
                   "small_talk": sum(s.decision == "chat" for s in group),
                   "refused_text": sum(s.decision == "refused" for s in group)},
        "acted_on": dict(Counter(s.intent for s in outside if s.acted).most_common()),
    }


def per_intent(scored: Sequence[ScoredRow]) -> dict[str, dict[str, dict[str, Any]]]:
    """source -> mapped in-scope intent -> rows, routed right, confidently wrong (and to what), asked."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for s in scored:
        if not s.in_scope:
            continue
        entry = out.setdefault(s.row.source, {}).setdefault(
            s.row.truth, {"rows": 0, "routed_right": 0, "confidently_wrong": 0, "asked": 0, "wrong_to": Counter()})
        entry["rows"] += 1
        if s.acted and s.intent == s.row.truth:
            entry["routed_right"] += 1
        elif s.acted:
            entry["confidently_wrong"] += 1
            entry["wrong_to"][s.intent] += 1
        else:
            entry["asked"] += 1
    for intents in out.values():
        for entry in intents.values():
            entry["wrong_to"] = dict(entry["wrong_to"].most_common())
            entry["routed_right_rate"] = entry["routed_right"] / entry["rows"]
    return out


def mistakes(scored: Sequence[ScoredRow], source: str, limit: int = MISTAKES_SHOWN) -> list[dict[str, Any]]:
    """The most confident wrong decisions of a source: acted on a wrong intent, or an in-scope row not acted on."""
    wrong = sorted((s for s in scored if s.row.source == source and not s.right), key=lambda s: -s.confidence)
    return [{"text": s.row.text, "lang": s.row.lang, "truth": s.row.truth, "source_intent": s.row.source_intent,
             "predicted": s.intent, "confidence": round(s.confidence, 4), "decision": s.decision}
            for s in wrong[:limit]]


def summarize(scored: Sequence[ScoredRow], split: str, bundle: str, threshold: float, seconds: float,
              limit: int | None) -> dict[str, Any]:
    groups = {f"{src}/{lang}": figures([s for s in scored if s.row.source == src and s.row.lang == lang])
              for src, lang in GROUPS if any(s.row.source == src and s.row.lang == lang for s in scored)}
    sources = sorted({s.row.source for s in scored})
    return {"split": split, "bundle": bundle, "threshold": threshold, "sure_at": max(SURE, threshold),
            "limit_per_source": limit, "rows": len(scored), "seconds": round(seconds, 1),
            "ms_per_request": round(1000 * seconds / len(scored), 2) if scored else None,
            "groups": groups, "all": figures(scored), "per_intent": per_intent(scored),
            "mistakes": {src: mistakes(scored, src) for src in sources}}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _md(text: str) -> str:
    """Public text inside a markdown table cell: no pipes, backticks, angle brackets or line breaks."""
    return (" ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")
            .replace("<", "&lt;").replace(">", "&gt;"))


COLUMNS = ("rows", "in scope", "routed right %", "confidently wrong %", "oos", "oos caught %", "sure precision %",
           "sure acts")


def table_rows(summary: dict[str, Any]) -> list[list[str]]:
    out = []
    for name, g in [*summary["groups"].items(), ("all", summary["all"])]:
        out.append([name, str(g["rows"]), str(g["in_scope_rows"]), pct(g["in_scope_routed_right"]),
                    pct(g["in_scope_confidently_wrong"]), str(g["oos_rows"]), pct(g["oos_caught"]),
                    pct(g["sure_precision"]), str(g["counts"]["sure_acts"])])
    return out


def markdown(summary: dict[str, Any]) -> str:
    limit = summary["limit_per_source"]
    lines = [f"# External evaluation of `{summary['bundle']}` on the `{summary['split']}` split", "",
             f"Threshold {summary['threshold']:.2f}; \"sure\" means acted on at confidence ≥ {summary['sure_at']:.2f}. "
             f"{summary['rows']} rows" + (f" (at most {limit} a source, in-scope rows first)" if limit else "")
             + f"; {summary['seconds']:.0f} s, {summary['ms_per_request']} ms a request.", "",
             "Data: CLINC150 (what_can_i_ask_you → get_help, order_status → get_shipping, user_name → get_profile, "
             "everything else out of scope), SNIPS and MTOD (all out of scope). Made with "
             "`python -m scripts.evaluate_external`.", "",
             "| group | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(summary)]
    lines += ["", "## In-scope rows by intent", "",
              "| source | intent | rows | routed right % | confidently wrong (to) | asked |",
              "|---|---|---|---|---|---|"]
    for source, intents in summary["per_intent"].items():
        for intent, e in intents.items():
            to = ", ".join(f"{k} {v}" for k, v in e["wrong_to"].items())
            lines.append(f"| {source} | {intent} | {e['rows']} | {pct(e['routed_right_rate'])} | "
                         f"{e['confidently_wrong']}{f' ({to})' if to else ''} | {e['asked']} |")
    lines += ["", "## Out-of-scope rows acted on, by intent", "", "| group | acted on |", "|---|---|"]
    for name, g in summary["groups"].items():
        lines.append(f"| {name} | " + (", ".join(f"{k} {v}" for k, v in g["acted_on"].items()) or "—") + " |")
    for source, wrong in summary["mistakes"].items():
        lines += ["", f"## {source}: the {len(wrong)} most confident mistakes", "",
                  "| text | lang | truth (public label) | predicted | confidence | decision |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {_md(m['text'])} | {m['lang']} | {m['truth']} ({_md(m['source_intent'])}) | "
                  f"{m['predicted'] or '—'} | {m['confidence']:.2f} | {m['decision']} |" for m in wrong]
    return "\n".join(lines) + "\n"


def headline(summary: dict[str, Any]) -> dict[str, Any]:
    """The one JSON line printed last: rates per group, rounded, for logs and comparisons."""
    keys = ("in_scope_routed_right", "in_scope_confidently_wrong", "oos_caught", "sure_precision")

    def short(g: dict[str, Any]) -> dict[str, Any]:
        return {"rows": g["rows"], **{k: None if g[k] is None else round(g[k], 4) for k in keys}}

    return {"split": summary["split"], "bundle": summary["bundle"], "threshold": summary["threshold"],
            "rows": summary["rows"], "seconds": summary["seconds"],
            "groups": {name: short(g) for name, g in summary["groups"].items()}, "all": short(summary["all"])}


def write_reports(summary: dict[str, Any], json_path: Path, md_path: Path) -> None:
    for path in (json_path, md_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown(summary), encoding="utf-8")


def run(scorer: Scorer, split: str, bundle: str, threshold: float | None = None, limit: int | None = None,
        sources: Sequence[str] = tuple(SOURCES), root: Path | None = None, verbose: bool = False) -> dict[str, Any]:
    """Load, score, decide and summarise (no files written)."""
    chosen = threshold if threshold is not None else scorer.info.default_threshold
    rows = load_rows(split, limit, sources, root)

    def progress(done: int, total: int) -> None:
        print(f"  {done}/{total} rows", file=sys.stderr, flush=True)

    start = time.perf_counter()
    scored = score_rows(scorer, rows, chosen, progress if verbose else None)
    return summarize(scored, split, bundle, chosen, time.perf_counter() - start, limit)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=SPLITS[1:], default="val", help="val (default; tune here) or test (once)")
    parser.add_argument("--bundle", type=Path, default=Path("resources/model"))
    parser.add_argument("--threshold", type=float, help="clarification threshold (default: the bundle's)")
    parser.add_argument("--limit", type=int, help="at most N rows per source, drawn deterministically")
    parser.add_argument("--sources", nargs="+", choices=sorted(SOURCES), default=list(SOURCES))
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: one short request gains nothing from more; 0 = torch's)")
    parser.add_argument("--json", type=Path, help="default reports/external/<split>.json")
    parser.add_argument("--md", type=Path, help="default reports/external/<split>.md")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if not all((shared_datasets_dir() / SOURCES[s].file).is_file() for s in args.sources):
        parser.error(f"the shared datasets are not under {shared_datasets_dir()}; set OFFLINE_ASSISTANT_SHARED")

    from core.engine import Engine, EngineConfig  # torch is loaded only when a real run starts

    engine = Engine(args.bundle, EngineConfig(num_threads=args.threads))
    summary = run(engine, args.split, str(args.bundle), args.threshold, args.limit, args.sources, verbose=True)
    write_reports(summary, args.json or REPORTS / f"{args.split}.json", args.md or REPORTS / f"{args.split}.md")
    header = ["group", *COLUMNS]
    body = table_rows(summary)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    for r in [header, *body]:
        cells = zip(r, widths, strict=True)
        print("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(cells)))
    print(json.dumps(headline(summary), ensure_ascii=False))


if __name__ == "__main__":
    main()

