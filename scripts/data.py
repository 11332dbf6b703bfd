"""Labelled rows for training and evaluation: the project's intents YAML or a public JSONL benchmark.

The YAML is split here (by a hash of each text, with its own seed: edits never move other rows); a JSONL
benchmark brings its own train/val/test split (`{"text", "intent", "split", "is_oos"}` per line, as in
../shared/datasets/).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from core.intents import OUT_OF_SCOPE, load_dataset

Row = tuple[str, str]  # (text, label)
OOS_DISPLAY = {"es": "Fuera de alcance", "en": "Out of scope"}


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

    def kind(self, row: Row) -> str:
        return kind_of(row, self.near_miss)

    def labels(self, with_oos: bool) -> list[str]:
        names = sorted({label for _, label in self.train + self.val + self.test} - {OUT_OF_SCOPE})
        return [*names, OUT_OF_SCOPE] if with_oos else names

    def to_json(self) -> dict[str, object]:
        return {"train": self.train, "val": self.val, "test": self.test, "display_names": self.display_names,
                "dataset_sha256": self.dataset_sha256, "near_miss": sorted(self.near_miss)}

    @staticmethod
    def from_json(raw: dict[str, object]) -> Splits:
        def rows(key: str) -> list[Row]:
            return [(str(t), str(label)) for t, label in raw[key]]  # type: ignore[attr-defined]
        return Splits(rows("train"), rows("val"), rows("test"), raw["display_names"],  # type: ignore[arg-type]
                      str(raw["dataset_sha256"]), frozenset(raw.get("near_miss") or []))  # type: ignore[arg-type]


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


def load_yaml_splits(path: Path, seed: int, val: float = 0.2, test: float = 0.2) -> Splits:
    """60/20/20 by default: with ~1,300 rows, val and test hold ~260 each (one request < 0.4 points)."""
    dataset = load_dataset(path)
    train, val_rows, test_rows = hashed_split(dataset.rows(), seed, val, test)
    names = {i.name: i.display_name for i in dataset.intents} | {OUT_OF_SCOPE: OOS_DISPLAY}
    return Splits(train, val_rows, test_rows, names, dataset.sha256, frozenset(dataset.near_miss))


def load_jsonl_splits(path: Path) -> Splits:
    """A public benchmark in the shared JSONL form; its out-of-scope rows become OUT_OF_SCOPE."""
    data = path.read_bytes()
    split_rows: dict[str, list[Row]] = defaultdict(list)
    for line in data.decode("utf-8").splitlines():
        item = json.loads(line)
        label = OUT_OF_SCOPE if item.get("is_oos") else str(item["intent"])
        split_rows[item["split"]].append((str(item["text"]), label))
    labels = {label for rows in split_rows.values() for _, label in rows}
    names = {label: {"es": label, "en": label} for label in labels} | {OUT_OF_SCOPE: OOS_DISPLAY}
    return Splits(split_rows["train"], split_rows["val"], split_rows["test"], names, hashlib.sha256(data).hexdigest())


def load_splits(path: Path, seed: int) -> Splits:
    return load_jsonl_splits(path) if path.suffix == ".jsonl" else load_yaml_splits(path, seed)
