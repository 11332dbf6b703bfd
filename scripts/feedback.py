"""Users' confirmed corrections and choices as training rows, and the regression gate for a retrained bundle.

    python -m scripts.train --feedback ~/.local/share/offline-assistant/assistant.sqlite3 --export resources/model

Rows come from the app's database (read-only): corrections ("not what I meant" -> intent), clarification
choices, and what the user taught. They are deduplicated (the newest word per request wins), and only ever
added to the *train* split: a request that is a val or test row is left out, so the held-out figures stay
comparable before and after. The gate evaluates the new bundle and the current one on the same test rows
with the app's own decision function and refuses the new one when it makes fewer right decisions.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.memory import teach_key
from scripts.data import Row, Splits


@dataclass
class FeedbackSummary:
    read: int = 0  # rows in the database (feedback with a chosen intent, and taught requests)
    added: list[Row] = field(default_factory=list)  # new train rows
    relabelled: list[tuple[str, str, str]] = field(default_factory=list)  # (text, old label, new label)
    already_known: int = 0  # same text and label already in the train split
    held_out: int = 0  # the text is a val or test row: left out to keep the held-out figures honest
    unknown_intent: list[Row] = field(default_factory=list)  # an intent the dataset does not have

    def lines(self) -> list[str]:
        out = [f"feedback: {self.read} confirmed rows read, {len(self.added)} added to train, "
               f"{len(self.relabelled)} relabelled, {self.already_known} already known, {self.held_out} held out "
               f"(in val/test), {len(self.unknown_intent)} with an unknown intent"]
        out += [f"  + {label:<28} {text}" for text, label in self.added]
        out += [f"  ~ {old} -> {new:<20} {text}" for text, old, new in self.relabelled]
        out += [f"  ? {label:<28} {text} (not an intent of the dataset: skipped)"
                for text, label in self.unknown_intent]
        return out


def read_feedback(db: Path) -> list[Row]:
    """(text, intent) confirmed by the user, oldest first; the database is opened read-only."""
    if not db.is_file():
        raise FileNotFoundError(f"{db} does not exist: pass the assistant.sqlite3 file of the app's data folder")
    connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows: list[tuple[str, int, int, str, str]] = []  # (time, table, row id, text, intent): a stable order
        if "feedback" in tables:
            rows += connection.execute("SELECT created_at, 0, id, text, chosen FROM feedback WHERE chosen IS NOT NULL "
                                       "AND kind IN ('clarification', 'correction')").fetchall()
        if "taught" in tables:
            rows += connection.execute("SELECT created_at, 1, rowid, text, intent FROM taught").fetchall()
    finally:
        connection.close()
    return [(str(text), str(intent)) for *_, text, intent in sorted(rows)]


def _key(text: str) -> str:
    """Requests that differ only in case, accents, punctuation or fillers are one request (as when teaching)."""
    return teach_key(text) or text.casefold().strip()


def fold_feedback(splits: Splits, feedback: list[Row]) -> tuple[Splits, FeedbackSummary]:
    """The splits with the feedback folded into train (val and test untouched), and what was done."""
    summary = FeedbackSummary(read=len(feedback))
    labels = {label for _, label in splits.train + splits.val + splits.test}
    newest: dict[str, Row] = {}
    for text, label in feedback:  # oldest first: a later correction of the same request wins
        newest[_key(text)] = (text.strip(), label)
    held_out = {_key(t) for t, _ in splits.val + splits.test}
    train = {_key(t): (t, label) for t, label in splits.train}
    for key, (text, label) in newest.items():
        if label not in labels:
            summary.unknown_intent.append((text, label))
        elif key in held_out:
            summary.held_out += 1
        elif key in train and train[key][1] == label:
            summary.already_known += 1
        elif key in train:
            summary.relabelled.append((text, train[key][1], label))
            train[key] = (train[key][0], label)
        else:
            summary.added.append((text, label))
            train[key] = (text, label)
    return replace(splits, train=list(train.values())), summary


def _figures(bundle: Path, rows: list[Row], splits: Splits) -> dict[str, Any]:
    from scripts.evaluate import evaluate

    _, m = evaluate(bundle, rows, splits=splits, batch=1)  # one request per call, as the app scores them
    return {"rows": len(rows), "right_decisions": m["right_decisions"],
            "right_decision_rate": round(m["right_decision_rate"], 4),
            "in_scope_routed_right": round(m["all_in_scope_routed_right"], 4),
            "oos_caught": round(m["all_oos_caught"], 4)}


def regression_gate(new_bundle: Path, current_bundle: Path, splits: Splits) -> tuple[bool, dict[str, Any]]:
    """Both bundles on the same test rows, with the app's decision function. The new one passes when it makes at
    least as many right decisions on all rows *and* on the rows whose label the current bundle has (an added
    intent must not be paid for with mistakes on the intents users already rely on)."""
    from core.bundle import read_manifest

    known = {label.name for label in read_manifest(current_bundle).labels}
    known_rows = [row for row in splits.test if row[1] in known]
    figures: dict[str, Any] = {"test_rows": len(splits.test), "known_label_rows": len(known_rows)}
    for name, bundle in (("current", current_bundle), ("new", new_bundle)):
        figures[name] = _figures(bundle, splits.test, splits)
        figures[f"{name}_on_known_labels"] = _figures(bundle, known_rows, splits)
    def right(name: str) -> int:
        return int(figures[name]["right_decisions"])

    ok = right("new") >= right("current") and right("new_on_known_labels") >= right("current_on_known_labels")
    return ok, figures
