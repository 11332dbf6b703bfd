"""The human-editable intents dataset (resources/intents.yaml): loading and validation."""

from __future__ import annotations

import hashlib
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from core.errors import DatasetError
from core.language import guess_language

OUT_OF_SCOPE = "out_of_scope"  # label of the explicit out-of-scope class in trained bundles
LANGUAGES = ("es", "en")
_INTENT_KEYS = {"name", "display_name", "description", "examples", "help", "answer", "link"}
LINK_SCHEMES = ("http", "https", "mailto")
_TOP_KEYS = {"version", "intents", "out_of_scope"}


@dataclass(frozen=True)
class Intent:
    name: str
    display_name: dict[str, str]  # language code -> name shown to people
    description: dict[str, str]  # language code -> one line
    examples: tuple[str, ...]
    help_examples: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> phrases shown to people
    answer: dict[str, str] | None = None  # language -> answer template ({phone} etc. from business.toml)
    link: str = ""  # an http(s) or mailto link offered with the answer

    def shown_examples(self, language: str) -> tuple[str, ...]:
        """Phrases to show as examples: the curated `help` ones, else training examples that look like `language`."""
        if self.help_examples.get(language):
            return self.help_examples[language]
        return tuple(e for e in self.examples if guess_language(e) == language and len(e.split()) >= 3)

    @property
    def answered_without_code(self) -> bool:
        return self.answer is not None or bool(self.link)


@dataclass(frozen=True)
class IntentDataset:
    intents: tuple[Intent, ...]
    out_of_scope: tuple[str, ...]  # plainly not for the assistant (alarms, weather, jokes, …)
    sha256: str  # hash of the file's bytes, recorded in the bundle manifest
    near_miss: tuple[str, ...] = ()  # out of scope but sharing words with an intent (a bank's hours, …)

    def rows(self) -> list[tuple[str, str]]:
        """Every (text, label) pair; plain and near-miss out-of-scope examples are labelled OUT_OF_SCOPE."""
        rows = [(text, intent.name) for intent in self.intents for text in intent.examples]
        return rows + [(text, OUT_OF_SCOPE) for text in (*self.out_of_scope, *self.near_miss)]


def _dedup_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _check_keys(where: str, found: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise DatasetError(f"{where}: unknown key(s) {unknown}; allowed keys are {sorted(allowed)}.")


def _languages(where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise DatasetError(f"{where}: expected a mapping with keys {list(LANGUAGES)}, found {value!r}.")
    return {str(k): str(v) for k, v in value.items()}


def _examples(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise DatasetError(f"{where}: expected a non-empty list of examples, found {value!r}. Add examples.")
    texts = tuple(str(v).strip() for v in value)
    if any(not t for t in texts):
        raise DatasetError(f"{where}: an example is empty; remove it or write the request.")
    return texts


def _parse_intent(index: int, raw: Any) -> Intent:
    if not isinstance(raw, dict):
        raise DatasetError(f"intents[{index}]: expected a mapping, found {raw!r}.")
    _check_keys(f"intents[{index}]", raw, _INTENT_KEYS)
    name = str(raw.get("name", "")).strip()
    if not name.isidentifier():
        raise DatasetError(f"intents[{index}]: 'name' must be an identifier like get_news, found {name!r}.")
    where = f"intent {name!r}"
    return Intent(
        name=name,
        display_name=_languages(f"{where} display_name", raw.get("display_name")),
        description=_languages(f"{where} description", raw.get("description")),
        examples=_examples(f"{where} examples", raw.get("examples")),
        help_examples=_help(f"{where} help", raw.get("help")),
        answer=_answer(f"{where} answer", raw["answer"]) if "answer" in raw else None,
        link=_link(f"{where} link", raw.get("link", "")),
    )


def _help(where: str, value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not set(value) <= set(LANGUAGES):
        raise DatasetError(f"{where}: expected a mapping of {list(LANGUAGES)} to lists of phrases, found {value!r}.")
    return {str(k): _examples(f"{where} {k}", v) for k, v in value.items()}


def template_fields(template: str) -> set[str]:
    """The {field} names a template uses; raises ValueError for a malformed one ("{phone", "{0}")."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    if any(not n.isidentifier() for n in names):
        raise ValueError(f"placeholders must be names like {{phone}}, found {sorted(names)}")
    return names


def _answer(where: str, value: Any) -> dict[str, str]:
    answer = _languages(where, value)
    for lang, text in answer.items():
        if not text.strip():
            raise DatasetError(f"{where} {lang}: the answer is empty; write the text or remove 'answer'.")
        try:
            template_fields(text)
        except ValueError as exc:
            raise DatasetError(f"{where} {lang}: {exc}; write {{{{ and }}}} for literal braces.") from exc
    return answer


def _link(where: str, value: Any) -> str:
    text = str(value or "").strip()
    if text and (urlsplit(text).scheme.lower() not in LINK_SCHEMES or len(text) > 2000):
        raise DatasetError(f"{where}: expected an http(s) or mailto link, found {text!r:.80}.")
    return text


def _check_duplicates(rows: list[tuple[str, str]]) -> None:
    seen: dict[str, str] = {}
    for text, label in rows:
        key = _dedup_key(text)
        if key in seen:
            other = seen[key]
            where = "twice in" if other == label else f"in both {other!r} and"
            raise DatasetError(
                f"Duplicate example {text!r} {where} {label!r}: each example must appear once; "
                "delete or reword one copy."
            )
        seen[key] = label


def parse_dataset(raw: Any, sha256: str = "") -> IntentDataset:
    if not isinstance(raw, dict):
        raise DatasetError(f"Expected a mapping with keys {sorted(_TOP_KEYS)} at the top, found {raw!r}.")
    _check_keys("top level", raw, _TOP_KEYS)
    intents = tuple(_parse_intent(i, item) for i, item in enumerate(raw.get("intents") or []))
    if not intents:
        raise DatasetError("No intents defined: add at least one under 'intents:'.")
    names = [intent.name for intent in intents]
    if len(set(names)) != len(names) or OUT_OF_SCOPE in names:
        raise DatasetError(f"Intent names must be unique and not {OUT_OF_SCOPE!r}; found {names}.")
    oos_raw = raw.get("out_of_scope") or {}
    _check_keys("out_of_scope", oos_raw, {"examples", "near_miss"})
    near_miss = _examples("out_of_scope near_miss", oos_raw["near_miss"]) if "near_miss" in oos_raw else ()
    dataset = IntentDataset(intents, _examples("out_of_scope examples", oos_raw.get("examples")), sha256, near_miss)
    _check_duplicates(dataset.rows())
    return dataset


MAX_DATASET_BYTES = 16 << 20


def load_dataset(path: Path) -> IntentDataset:
    """Load and validate an intents YAML file; raise DatasetError saying what to fix."""
    try:
        with path.open("rb") as handle:  # bounded: /dev/zero or a runaway file must not fill the memory
            data = handle.read(MAX_DATASET_BYTES + 1)
    except OSError as exc:
        raise DatasetError(f"Cannot read the intents file {path}: {exc.strerror}.") from exc
    if len(data) > MAX_DATASET_BYTES:
        raise DatasetError(f"{path} is larger than {MAX_DATASET_BYTES >> 20} MB; an intents file is a few hundred kB.")
    try:
        # BaseLoader keeps every scalar as text: "yes"/"no"/"1" are examples, not booleans or numbers.
        # libyaml's C version parses the file about ten times faster (it is read at app start-up).
        loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
        raw = yaml.load(data.decode("utf-8"), Loader=loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} is not valid UTF-8 YAML: {exc}") from exc
    return parse_dataset(raw, hashlib.sha256(data).hexdigest())
