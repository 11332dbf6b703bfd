"""The one place that knows the shared public datasets: where they live and how their labels map to our intents.

    from scripts.shared_data import load_public_rows, map_public_label
    rows = load_public_rows("clinc150", "val")          # [(text, mapped_label, lang), ...]
    map_public_label("clinc150", "order_status")         # "get_shipping"

The folder defaults to `<repo>/../shared/datasets` and can be moved with the environment variable
OFFLINE_ASSISTANT_SHARED (the datasets folder itself). Its README.md describes the files: one JSON object a line,
`{"text", "intent", "split", ...}`, MTOD with a `lang` field (es/en). Train only on `train`, tune only on `val`;
`test` is for the final figure. The data are read at run time and never copied into the repository.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from core.errors import DatasetError
from core.intents import OUT_OF_SCOPE

SHARED_ENV = "OFFLINE_ASSISTANT_SHARED"  # names the datasets folder (the one holding clinc150/, snips/, mtod/)
REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "datasets"
SPLITS = ("train", "val", "test")
MAX_TEXT_CHARS = 2000  # a public row longer than this is not a request; the file is refused rather than trusted
MAX_LINE_BYTES = 1_000_000  # one JSON line bigger than this is a broken file, not a row


@dataclass(frozen=True)
class PublicSource:
    file: str  # path inside the datasets folder
    default_lang: str  # language of rows without a `lang` field
    # public intent -> our intent; every public intent not listed (and "oos") is out of scope for this assistant
    mapping: Mapping[str, str]


# Why these three CLINC150 intents: they ask exactly what our get_help / get_shipping / get_profile answer
# ("what can I ask you", "where is my order", "what is my name"). SNIPS (music, weather, restaurants, ...) and
# MTOD (alarms, reminders, weather) hold nothing this assistant does, so every row of theirs is out of scope.
SOURCES: Mapping[str, PublicSource] = MappingProxyType({
    "clinc150": PublicSource("clinc150/clinc150_full.jsonl", "en", MappingProxyType({
        "what_can_i_ask_you": "get_help",
        "order_status": "get_shipping",
        "user_name": "get_profile",
    })),
    "snips": PublicSource("snips/snips.jsonl", "en", MappingProxyType({})),
    "mtod": PublicSource("mtod/mtod.jsonl", "en", MappingProxyType({})),
})


class PublicRow(NamedTuple):
    text: str
    label: str  # our intent, or OUT_OF_SCOPE
    lang: str  # "es" or "en"


class PublicRecord(NamedTuple):
    """A PublicRow plus the public label it came from (for reports: "truth out_of_scope (balance)")."""

    text: str
    label: str
    lang: str
    source_intent: str


def shared_datasets_dir() -> Path:
    """The datasets folder: $OFFLINE_ASSISTANT_SHARED when set, else <repo>/../shared/datasets."""
    override = os.environ.get(SHARED_ENV, "").strip()
    return Path(override).expanduser() if override else DEFAULT_SHARED


def source_path(source: str, root: Path | None = None) -> Path:
    return (root or shared_datasets_dir()) / _source(source).file


def available(source: str, root: Path | None = None) -> bool:
    """Whether this checkout can read the source (the shared folder is absent in some checkouts)."""
    return source_path(source, root).is_file()


def map_public_label(source: str, intent: str) -> str:
    """Our label for a public row's intent: the mapped intent, or OUT_OF_SCOPE for everything else (incl. oos)."""
    return _source(source).mapping.get(intent, OUT_OF_SCOPE)


def load_public_records(source: str, split: str, root: Path | None = None) -> list[PublicRecord]:
    """Every row of `source` in `split`, in file order, mapped to our labels. Raises DatasetError when the file is
    missing or a line is not a row (what was expected, where, and how to fix it)."""
    if split not in SPLITS:
        raise DatasetError(f"Unknown split {split!r}; expected one of {', '.join(SPLITS)}.")
    spec = _source(source)
    path = source_path(source, root)
    if not path.is_file():
        raise DatasetError(f"{path} not found: the shared datasets are not in this checkout. Put them at "
                           f"{DEFAULT_SHARED} or set {SHARED_ENV} to the folder holding clinc150/, snips/, mtod/.")
    out: list[PublicRecord] = []
    for number, raw in _lines(path):
        if raw.get("split") != split:
            continue
        text, intent, lang = raw.get("text"), raw.get("intent"), raw.get("lang", spec.default_lang)
        if not isinstance(text, str) or not isinstance(intent, str) or lang not in ("es", "en"):
            raise DatasetError(f"{path}:{number}: expected string 'text' and 'intent' and lang es/en, found "
                               f"{type(text).__name__}, {type(intent).__name__}, {lang!r}; the file is damaged: "
                               "restore it from the shared folder.")
        if len(text) > MAX_TEXT_CHARS:
            raise DatasetError(f"{path}:{number}: a {len(text)}-character text (at most {MAX_TEXT_CHARS} expected); "
                               "the file is damaged: restore it from the shared folder.")
        out.append(PublicRecord(text, map_public_label(source, intent), lang, intent))
    return out


def load_public_rows(source: str, split: str, root: Path | None = None) -> list[PublicRow]:
    """[(text, mapped_label, lang), ...] of `source` in `split` (see load_public_records)."""
    return [PublicRow(r.text, r.label, r.lang) for r in load_public_records(source, split, root)]


def _source(source: str) -> PublicSource:
    try:
        return SOURCES[source]
    except KeyError:
        raise DatasetError(f"Unknown public source {source!r}; expected one of {', '.join(SOURCES)}.") from None


def _lines(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if len(line) > MAX_LINE_BYTES:
                raise DatasetError(f"{path}:{number}: a line of {len(line)} bytes (at most {MAX_LINE_BYTES}).")
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise DatasetError(f"{path}:{number}: not a JSON object ({exc}); restore the file.") from exc
            if not isinstance(raw, dict):
                raise DatasetError(f"{path}:{number}: expected a JSON object, found {type(raw).__name__}.")
            yield number, raw
