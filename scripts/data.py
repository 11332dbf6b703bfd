"""Labelled rows for training and evaluation: the project's intents YAML or a public JSONL benchmark.

The YAML is split here (by a hash of each text, with its own seed: edits never move other rows); a JSONL
benchmark brings its own train/val/test split (`{"text", "intent", "split", "is_oos"}` per line, as in
../shared/datasets/). Outlier exposure (`add_outlier_exposure`) adds public train-split rows to the train split
only:

    from scripts.data import add_outlier_exposure, load_outlier_pool, load_yaml_splits
    splits = add_outlier_exposure(load_yaml_splits(path), load_outlier_pool(), cap=600, seed=SPLIT_SEED)
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from core.intents import OUT_OF_SCOPE, dedup_key, load_dataset

Row = tuple[str, str]  # (text, label)
OOS_DISPLAY = {"es": "Fuera de alcance", "en": "Out of scope"}
# The one split seed: the shipped bundle's train/val/test rows follow from it, so every script that scores "the
# val split" or "the test split" of the intents file must use it (scripts.train's split_seed defaults to it).
SPLIT_SEED = 13


NEAR_MISS = "near_miss"  # the kind of an out-of-scope row that shares words with an intent
KINDS = ("in_scope", "out_of_scope", NEAR_MISS)


def kind_of(row: Row, near_miss: frozenset[str]) -> str:
    """in_scope, out_of_scope (plain) or near_miss, for the per-kind figures."""
    if row[1] != OUT_OF_SCOPE:
        return "in_scope"
    return NEAR_MISS if row[0] in near_miss else "out_of_scope"


@dataclass(frozen=True)
class Splits:
    train: list[Row]
    val: list[Row]
    test: list[Row]
    display_names: dict[str, dict[str, str]]  # label -> {es, en}
    dataset_sha256: str
    near_miss: frozenset[str] = frozenset()  # texts of near-miss out-of-scope rows (all splits)
    # rows added to train from elsewhere: source -> label -> count (outlier exposure); empty for our data alone
    train_sources: dict[str, dict[str, int]] = field(default_factory=dict)
    # text -> its annotated slots (start, end, name) for every row with slot labels (the intents' examples);
    # a row absent here has none (out of scope, public and feedback rows): the slot loss skips it
    slot_spans: dict[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)

    def kind(self, row: Row) -> str:
        return kind_of(row, self.near_miss)

    def labels(self, with_oos: bool) -> list[str]:
        names = sorted({label for _, label in self.train + self.val + self.test} - {OUT_OF_SCOPE})
        return [*names, OUT_OF_SCOPE] if with_oos else names

    def to_json(self) -> dict[str, object]:
        return {"train": self.train, "val": self.val, "test": self.test, "display_names": self.display_names,
                "dataset_sha256": self.dataset_sha256, "near_miss": sorted(self.near_miss),
                "train_sources": self.train_sources,
                "slot_spans": {text: [list(span) for span in spans] for text, spans in self.slot_spans.items()}}

    @staticmethod
    def from_json(raw: dict[str, object]) -> Splits:
        def rows(key: str) -> list[Row]:
            return [(str(t), str(label)) for t, label in cast(list[list[str]], raw[key])]
        sources = cast(dict[str, dict[str, int]], raw.get("train_sources") or {})  # absent in older runs
        spans = cast(dict[str, list[list[Any]]], raw.get("slot_spans") or {})  # absent before slots
        return Splits(rows("train"), rows("val"), rows("test"), cast(dict[str, dict[str, str]], raw["display_names"]),
                      str(raw["dataset_sha256"]), frozenset(cast(list[str], raw.get("near_miss") or [])),
                      {s: dict(c) for s, c in sources.items()},
                      {text: tuple((int(a), int(b), str(n)) for a, b, n in items) for text, items in spans.items()})


def hashed_split(rows: list[Row], seed: int, val: float, test: float) -> tuple[list[Row], ...]:
    """Each row's split follows from a hash of (seed, its text) alone: adding, editing or deleting examples never
    moves the other rows between train, val and test, so a test split stays held out across edits and
    retraining. Every label and kind gets about the same fractions (a few rows either way)."""
    out: tuple[list[Row], list[Row], list[Row]] = ([], [], [])
    for row in rows:
        digest = hashlib.sha256(f"{seed}\0{row[0]}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2**64
        out[2 if u < test else 1 if u < test + val else 0].append(row)
    return out


def load_yaml_splits(path: Path, seed: int = SPLIT_SEED, val: float = 0.2, test: float = 0.2) -> Splits:
    """60/20/20 by default: with ~1,300 rows, val and test hold ~260 each (one request < 0.4 points)."""
    dataset = load_dataset(path)
    train, val_rows, test_rows = hashed_split(dataset.rows(), seed, val, test)
    names = {i.name: i.display_name for i in dataset.intents} | {OUT_OF_SCOPE: OOS_DISPLAY}
    return Splits(train, val_rows, test_rows, names, dataset.sha256, frozenset(dataset.near_miss),
                  slot_spans=dataset.slot_spans())


def load_jsonl_splits(path: Path) -> Splits:
    """A public benchmark in the shared JSONL form; its out-of-scope rows become OUT_OF_SCOPE."""
    data = path.read_bytes()
    split_rows: dict[str, list[Row]] = defaultdict(list)
    spans: dict[str, tuple[tuple[int, int, str], ...]] = {}
    for line in data.decode("utf-8").splitlines():
        item = json.loads(line)
        label = OUT_OF_SCOPE if item.get("is_oos") else str(item["intent"])
        if "tokens" in item:  # SNIPS with BIO slot tags (snips_slots.jsonl): words joined by spaces
            text, spans[" ".join(item["tokens"])] = bio_spans(item["tokens"], item["tags"])
        else:
            text = str(item["text"])
        split_rows[item["split"]].append((text, label))
    labels = {label for rows in split_rows.values() for _, label in rows}
    names = {label: {"es": label, "en": label} for label in labels} | {OUT_OF_SCOPE: OOS_DISPLAY}
    return Splits(split_rows["train"], split_rows["val"], split_rows["test"], names, hashlib.sha256(data).hexdigest(),
                  slot_spans=spans)


def bio_spans(tokens: Sequence[str], tags: Sequence[str]) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """The words joined by single spaces and their BIO tags as character spans (start, end, name)."""
    text, spans = "", list[tuple[int, int, str]]()
    for word, tag in zip(tokens, tags, strict=True):
        if text:
            text += " "
        begin = len(text)
        text += word
        name = tag[2:] if tag[:2] in ("B-", "I-") else ""
        if tag.startswith("I-") and spans and spans[-1][2] == name and spans[-1][1] == begin - 1:
            spans[-1] = (spans[-1][0], len(text), name)
        elif name:
            spans.append((begin, len(text), name))
    return text, tuple(spans)


def slot_names(splits: Splits) -> tuple[str, ...]:
    """The slot names a model trained on `splits` tags: the product's (core.slots.SLOT_NAMES, in that order)
    for an intents file, else those of the benchmark's annotations, sorted."""
    from core.slots import SLOT_NAMES

    found = {name for spans in splits.slot_spans.values() for _, _, name in spans}
    return SLOT_NAMES if found <= set(SLOT_NAMES) else tuple(sorted(found))


def load_splits(path: Path, seed: int) -> Splits:
    return load_jsonl_splits(path) if path.suffix == ".jsonl" else load_yaml_splits(path, seed)


# --- Outlier exposure (issue 21): public requests in the train split only -------------------------------------

# Share of the outlier cap per public source. CLINC150 gets half because it is the most varied (150 intents:
# banking, travel, small talk, ...); SNIPS (7 intents) and MTOD es (12, the only Spanish source) a quarter each.
# A source absent from the pool gives its share to the others.
OUTLIER_SHARES: Mapping[str, float] = {"clinc150": 0.5, "snips": 0.25, "mtod": 0.25}
# Public intents never used as outliers: CLINC150 change_user_name ("change the name you call me") contradicts
# get_profile, which edits the user's stored name ("cambiar mi nombre de usuario", "change my display name").
OUTLIER_EXCLUDED: frozenset[tuple[str, str]] = frozenset({("clinc150", "change_user_name")})


@dataclass(frozen=True)
class PublicExample:
    """One public row offered to outlier exposure: its text, our label for it, and its public intent (a group:
    sampling takes a few from every group rather than many from one)."""

    text: str
    label: str
    group: str


def _rank(seed: int, *parts: str) -> bytes:
    return hashlib.sha256("\0".join((str(seed), *parts)).encode()).digest()


def _round_robin(groups: dict[str, list[PublicExample]], quota: int, seed: int) -> list[PublicExample]:
    """Up to `quota` rows: the first of every group, then the second, ... Group order and row order within a
    group follow a hash of the seed, so the choice is deterministic and not alphabetical."""
    ordered = [sorted(rows, key=lambda r: _rank(seed, r.text)) for _, rows in
               sorted(groups.items(), key=lambda item: _rank(seed, "group", item[0]))]
    picked: list[PublicExample] = []
    depth = 0
    while len(picked) < quota and any(depth < len(rows) for rows in ordered):
        picked += [rows[depth] for rows in ordered if depth < len(rows)][: quota - len(picked)]
        depth += 1
    return picked


def _quotas(cap: int, sources: Sequence[str]) -> dict[str, int]:
    """Split `cap` over the present sources by OUTLIER_SHARES (unknown sources get the mean share), summing to cap."""
    weights = {s: OUTLIER_SHARES.get(s, sum(OUTLIER_SHARES.values()) / len(OUTLIER_SHARES)) for s in sources}
    total = sum(weights.values()) or 1.0
    quotas = {s: int(cap * w / total) for s, w in weights.items()}
    for s in sorted(sources, key=lambda s: -weights[s])[: cap - sum(quotas.values())]:
        quotas[s] += 1  # the rounding remainder goes to the largest shares
    return quotas


def add_outlier_exposure(splits: Splits, rows_by_source: Mapping[str, Sequence[PublicExample]], cap: int,
                         seed: int, in_scope_cap: int = 40) -> Splits:
    """`splits` with public rows appended to train (never val or test, so our figures stay comparable):

    - up to `cap` out-of-scope rows, shared over the sources (OUTLIER_SHARES) and within a source spread evenly
      over its public intents (a few per CLINC150 intent rather than all "oos");
    - up to `in_scope_cap` rows per (source, intent we know) for public rows mapped into scope (CLINC150
      what_can_i_ask_you, order_status, user_name), only where the label is one of this dataset's intents.

    Public texts equal to one of our rows (in any split) or to an earlier public row are skipped. Pure and
    deterministic: the same inputs and seed give the same rows. `cap` 0 adds no out-of-scope rows. The counts
    land in `train_sources` (source -> label -> rows)."""
    if cap < 0 or in_scope_cap < 0:
        raise ValueError(f"cap and in_scope_cap must be >= 0, found {cap} and {in_scope_cap}")
    ours = {label for _, label in splits.train + splits.val + splits.test} - {OUT_OF_SCOPE}
    seen = {dedup_key(text) for text, _ in splits.train + splits.val + splits.test}
    pools: dict[str, dict[str, list[PublicExample]]] = {}  # source -> group -> unique out-of-scope rows
    in_scope: dict[str, dict[str, list[PublicExample]]] = {}  # source -> label -> unique in-scope rows
    for source in sorted(rows_by_source):
        for row in rows_by_source[source]:
            key = dedup_key(row.text)
            if key in seen or (source, row.group) in OUTLIER_EXCLUDED:
                continue
            if row.label == OUT_OF_SCOPE:
                pools.setdefault(source, {}).setdefault(row.group, []).append(row)
            elif row.label in ours:
                in_scope.setdefault(source, {}).setdefault(row.label, []).append(row)
            else:
                continue
            seen.add(key)
    added: list[Row] = []
    counts: dict[str, dict[str, int]] = {}
    for source, quota in _quotas(cap, sorted(pools)).items():
        picked = _round_robin(pools[source], quota, seed)
        added += [(r.text, OUT_OF_SCOPE) for r in picked]
        if picked:
            counts.setdefault(source, {})[OUT_OF_SCOPE] = len(picked)
    for source in sorted(in_scope):
        for label in sorted(in_scope[source]):
            picked = sorted(in_scope[source][label], key=lambda r: _rank(seed, r.text))[:in_scope_cap]
            added += [(r.text, label) for r in picked]
            if picked:
                counts.setdefault(source, {})[label] = len(picked)
    merged = {s: dict(c) for s, c in splits.train_sources.items()}
    for source, by_label in counts.items():
        for label, n in by_label.items():
            merged.setdefault(source, {})[label] = merged.get(source, {}).get(label, 0) + n
    return replace(splits, train=splits.train + added, train_sources=merged)


def load_outlier_pool(root: Path | None = None) -> dict[str, list[PublicExample]]:
    """The public sets' TRAIN splits (never val or test), mapped to our labels, for add_outlier_exposure.
    Sources missing from this checkout are left out (an empty dict when none is there)."""
    from scripts.shared_data import SOURCES, available, load_public_records

    return {source: [PublicExample(r.text, r.label, r.source_intent)
                     for r in load_public_records(source, "train", root)]
            for source in SOURCES if available(source, root)}


def balance_classes(rows: list[Row], floor: float) -> list[Row]:
    """Repeat the examples of small intents until each has `floor` x the median intent's row count (out of
    scope is left as it is): a deployer's new intent with a few dozen examples is otherwise drowned by the
    others and never predicted. Deterministic (examples cycled in order); floor 0 returns `rows` unchanged."""
    counts: dict[str, int] = defaultdict(int)
    for _, label in rows:
        if label != OUT_OF_SCOPE:
            counts[label] += 1
    if floor <= 0 or not counts:
        return rows
    sizes = sorted(counts.values())
    target = int(floor * sizes[len(sizes) // 2])
    extra: list[Row] = []
    for label, count in counts.items():
        own = [row for row in rows if row[1] == label]
        extra += [own[i % count] for i in range(max(0, target - count))]
    return rows + extra
