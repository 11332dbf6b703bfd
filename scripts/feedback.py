"""Users' confirmed corrections and choices as training rows, and the regression gate for a retrained bundle.

    python -m scripts.train --feedback ~/.local/share/offline-assistant/assistant.sqlite3 --export resources/model

Rows come from the app's database (read-only): corrections ("not what I meant" -> intent), clarification
choices, and what the user taught. They are deduplicated (the newest word per request wins), and only ever
added to the *train* split: a request that is a val or test row is left out, so the held-out figures stay
comparable before and after. The gate evaluates the new bundle and the current one on the same test rows
with the app's own decision function, on the test split, the val split, public out-of-scope rows (CLINC150 and
SNIPS val) and canaries (dataset requests nearest to the feedback's own texts), and refuses the new one when it is
worse on any of them or merely ties (poisoned feedback must show up somewhere, and a tie proves nothing).

Feedback is capped (MAX_ROWS read, MAX_PER_INTENT added or relabelled per intent), every refused row is printed,
and everything printed from the database is escaped (no terminal control sequences, no NUL bytes).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.errors import FeedbackError
from core.intents import OUT_OF_SCOPE
from core.memory import teach_key
from scripts.data import Row, Splits, load_jsonl_splits
from scripts.shared_data import source_path

MAX_ROWS = 50_000  # newest rows read from the database; a million rows took 105 s and 632 MB
MAX_TEXT = 500  # characters of one request (the app cuts requests far shorter)
MAX_PER_INTENT = 50  # feedback rows added or relabelled per intent: 2,000 poisoned rows cannot outvote the data
MAX_LISTED = 100  # rows listed per kind in the summary; the rest are counted
CANARIES_PER_ROW = 3  # dataset requests nearest to each feedback text that the gate checks
PUBLIC_OOS = ("clinc150", "snips")  # sources of scripts.shared_data
PUBLIC_OOS_ROWS = 150  # per public set: out-of-scope val rows the new bundle must still decline
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str, limit: int = 120) -> str:
    """A row's text as it may be printed: control characters (ESC, OSC, NUL, bidi overrides) escaped, cut."""
    cut = text[:limit] + ("…" if len(text) > limit else "")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else
                        f"\\u{ord(m.group()):04x}", cut)


@dataclass
class FeedbackSummary:
    read: int = 0  # rows in the database (feedback with a chosen intent, and taught requests)
    added: list[Row] = field(default_factory=list)  # new train rows
    relabelled: list[tuple[str, str, str]] = field(default_factory=list)  # (text, old label, new label)
    already_known: int = 0  # same text and label already in the train split
    held_out: int = 0  # the text is a val or test row: left out to keep the held-out figures honest
    unknown_intent: list[Row] = field(default_factory=list)  # an intent the dataset does not have
    over_cap: list[Row] = field(default_factory=list)  # refused: its intent already had MAX_PER_INTENT rows

    def lines(self) -> list[str]:
        out = [f"feedback: {self.read} confirmed rows read, {len(self.added)} added to train, "
               f"{len(self.relabelled)} relabelled, {self.already_known} already known, {self.held_out} held out "
               f"(in val/test), {len(self.unknown_intent)} with an unknown intent, {len(self.over_cap)} refused "
               f"over the cap of {MAX_PER_INTENT} per intent"]
        out += _listed([f"  + {safe(label, 40):<28} {safe(text)}" for text, label in self.added])
        out += _listed([f"  ~ {safe(old, 40)} -> {safe(new, 40):<20} {safe(text)}"
                        for text, old, new in self.relabelled])
        out += _listed([f"  ? {safe(label, 40):<28} {safe(text)} (not an intent of the dataset: skipped)"
                        for text, label in self.unknown_intent])
        out += _listed([f"  ! {safe(label, 40):<28} {safe(text)} (refused: over the cap for this intent)"
                        for text, label in self.over_cap])
        return out


def _listed(lines: list[str]) -> list[str]:
    return lines[:MAX_LISTED] + ([f"  … and {len(lines) - MAX_LISTED} more"] if len(lines) > MAX_LISTED else [])


def read_feedback(db: Path) -> list[Row]:
    """(text, intent) confirmed by the user, oldest first; the database is opened read-only."""
    if not db.is_file():
        raise FileNotFoundError(f"{db} does not exist: pass the assistant.sqlite3 file of the app's data folder")
    with db.open("rb") as head:
        if head.read(16) != b"SQLite format 3\x00":
            raise FeedbackError(f"{db} is not an SQLite database; pass the assistant.sqlite3 file of the app's "
                                "data folder.")
    connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = _query(connection)
    except sqlite3.Error as exc:
        raise FeedbackError(f"{db} cannot be read as the assistant's database ({exc}); expected the tables "
                            "feedback(created_at, id, text, chosen, kind) and/or taught(created_at, text, intent) "
                            "of the app's assistant.sqlite3.") from exc
    finally:
        connection.close()
    return [(str(text)[:MAX_TEXT], str(intent)[:MAX_TEXT]) for *_, text, intent in sorted(rows)]


def _query(connection: sqlite3.Connection) -> list[tuple[str, int, int, str, str]]:
    """The newest MAX_ROWS rows of both tables: (time, table, row id, text, intent), for a stable order."""
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    rows: list[tuple[str, int, int, str, str]] = []
    if "feedback" in tables:
        rows += connection.execute(
            "SELECT created_at, 0, id, substr(text, 1, ?), substr(chosen, 1, ?) FROM feedback WHERE chosen IS NOT "
            "NULL AND kind IN ('clarification', 'correction') ORDER BY created_at DESC LIMIT ?",
            (MAX_TEXT, MAX_TEXT, MAX_ROWS)).fetchall()
    if "taught" in tables:
        rows += connection.execute(
            "SELECT created_at, 1, rowid, substr(text, 1, ?), substr(intent, 1, ?) FROM taught "
            "ORDER BY created_at DESC LIMIT ?", (MAX_TEXT, MAX_TEXT, MAX_ROWS)).fetchall()
    rows = [row for row in rows if isinstance(row[3], str) and isinstance(row[4], str)]
    return sorted(rows, key=lambda row: (str(row[0]), row[1], row[2]))[-MAX_ROWS:]


def _key(text: str) -> str:
    """Requests that differ only in case, accents, punctuation or fillers are one request (as when teaching)."""
    return teach_key(text) or text.casefold().strip()


def fold_feedback(splits: Splits, feedback: list[Row]) -> tuple[Splits, FeedbackSummary]:
    """The splits with the feedback folded into train (val and test untouched), and what was done."""
    summary = FeedbackSummary(read=len(feedback))
    labels = {label for _, label in splits.train + splits.val + splits.test}
    newest: dict[str, Row] = {}  # newest first, one row per request: a later correction of the same request wins
    for text, label in reversed(feedback):
        newest.setdefault(_key(text), (text.strip(), label))
    held_out = {_key(t) for t, _ in splits.val + splits.test}
    train = {_key(t): (t, label) for t, label in splits.train}
    per_intent: dict[str, int] = {}
    for key, (text, label) in newest.items():  # newest first: the cap keeps the latest words
        if label not in labels:
            summary.unknown_intent.append((text, label))
        elif key in held_out:
            summary.held_out += 1
        elif key in train and train[key][1] == label:
            summary.already_known += 1
        elif per_intent.get(label, 0) >= MAX_PER_INTENT:
            summary.over_cap.append((text, label))
        elif key in train:
            per_intent[label] = per_intent.get(label, 0) + 1
            summary.relabelled.append((text, train[key][1], label))
            train[key] = (train[key][0], label)
        else:
            per_intent[label] = per_intent.get(label, 0) + 1
            summary.added.append((text, label))
            train[key] = (text, label)
    return replace(splits, train=list(train.values())), summary


def _words(text: str) -> set[str]:
    return set(_key(text).split())


def canaries(feedback: list[Row], splits: Splits, per_row: int = CANARIES_PER_ROW) -> list[Row]:
    """Dataset requests (train and val, with their own labels) nearest to each feedback text by shared words and
    labelled otherwise: what a poisoned correction drags along ("set an alarm" -> get_profile would take «pon
    una alarma a las siete» with it). The test split stays out (it is the held-out measure)."""
    pool = [(text, label, _words(text)) for text, label in splits.train + splits.val]
    chosen: dict[str, Row] = {}
    # Only what can be folded in: distinct texts, newest first, MAX_PER_INTENT per intent (50,000 raw rows
    # against the whole pool would be ~10^8 set intersections inside the gate).
    seen: set[str] = set()
    per_intent: dict[str, int] = {}
    rows: list[Row] = []
    for text, label in reversed(feedback[-MAX_ROWS:]):
        if _key(text) in seen or per_intent.get(label, 0) >= MAX_PER_INTENT:
            continue
        seen.add(_key(text))
        per_intent[label] = per_intent.get(label, 0) + 1
        rows.append((text, label))
    for text, label in rows:
        words = _words(text)
        if not words:
            continue
        near = sorted(((len(words & w) / len(words | w), t, lab) for t, lab, w in pool if lab != label and words & w),
                      reverse=True)[:per_row]
        for _, t, lab in near:
            chosen.setdefault(_key(t), (t, lab))
    return list(chosen.values())


def public_oos_rows(splits: Splits, root: Path | None = None) -> list[Row]:
    """Out-of-scope val rows of the shared public sets (CLINC150's out-of-scope rows, SNIPS rows of intents the
    dataset does not have), relabelled out_of_scope; none when the dataset has no out-of-scope label."""
    labels = set(splits.labels(with_oos=True))
    if OUT_OF_SCOPE not in labels:
        return []
    rows: list[Row] = []
    for source in PUBLIC_OOS:
        path = source_path(source, root)
        if not path.is_file():
            continue
        val = load_jsonl_splits(path).val
        picked = [(text, OUT_OF_SCOPE) for text, label in val if label == OUT_OF_SCOPE or label not in labels]
        rows += picked[:PUBLIC_OOS_ROWS]
    return rows


def _right(bundle: Path, rows: list[Row], splits: Splits) -> list[bool]:
    from scripts.evaluate import evaluate

    if not rows:
        return []
    # one request per call, as the app scores them; no robustness figures: the gate compares right decisions
    scored, _ = evaluate(bundle, rows, splits=splits, batch=1, robust=False)
    return [bool(s.right_decision) for s in scored]


def regression_gate(new_bundle: Path, current_bundle: Path, splits: Splits, feedback: list[Row] | None = None,
                    public_oos: list[Row] | None = None) -> tuple[bool, dict[str, Any]]:
    """Both bundles with the app's decision function on the same rows: the test split, its rows whose label the
    current bundle has, the val split, public out-of-scope rows and the canaries of the feedback. The new one
    passes when it is not worse on any of them *and* makes more right decisions in all (a tie proves nothing and
    is refused) -- unless it is the very same model file. `figures["refused"]` says why it was refused."""
    from core.bundle import MODEL_FILE, read_manifest, sha256_file

    known = {label.name for label in read_manifest(current_bundle).labels}
    sets: dict[str, list[Row]] = {
        "test": list(splits.test), "test_known_labels": [row for row in splits.test if row[1] in known],
        "val": list(splits.val), "public_oos": public_oos_rows(splits) if public_oos is None else public_oos,
        "canaries": canaries(feedback or [], splits),
    }
    rows = [row for part in sets.values() for row in part]
    figures: dict[str, Any] = {"test_rows": len(splits.test), "known_label_rows": len(sets["test_known_labels"])}
    right = {name: _right(bundle, rows, splits) for name, bundle in (("current", current_bundle), ("new", new_bundle))}
    worse: list[str] = []
    start = 0
    for part, part_rows in sets.items():
        end = start + len(part_rows)
        counts = {name: sum(right[name][start:end]) for name in right}
        figures[part] = {"rows": len(part_rows), "current": counts["current"], "new": counts["new"]}
        if counts["new"] < counts["current"]:
            worse.append(f"{part}: {counts['new']} right decisions against {counts['current']}")
        start = end
    figures["new"], figures["current"] = figures["test"]["new"], figures["test"]["current"]  # earlier keys
    figures["new_on_known_labels"] = figures["test_known_labels"]["new"]
    figures["current_on_known_labels"] = figures["test_known_labels"]["current"]
    same_model = sha256_file(new_bundle / MODEL_FILE) == sha256_file(current_bundle / MODEL_FILE)
    total_new, total_current = sum(right["new"]), sum(right["current"])
    if worse:
        figures["refused"] = "worse on " + "; ".join(worse)
    elif total_new <= total_current and not same_model:
        figures["refused"] = f"a tie ({total_new} right decisions against {total_current} in all) is not a gain"
    failed_canaries = [safe(text) for (text, label), old, new in zip(sets["canaries"], right["current"][start - len(
        sets["canaries"]):start], right["new"][start - len(sets["canaries"]):start], strict=True) if old and not new]
    if failed_canaries:
        figures["canaries_now_wrong"] = failed_canaries[:MAX_LISTED]
    return "refused" not in figures, figures
