"""The human-editable intents dataset (resources/intents.yaml): loading and validation."""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from core.errors import DatasetError
from core.i18n import LANGUAGES  # the one language list: the folders of resources/locale
from core.language import guess_language
from core.slots import SLOT_NAMES

OUT_OF_SCOPE = "out_of_scope"  # label of the explicit out-of-scope class in trained bundles
_INTENT_KEYS = {"name", "display_name", "description", "examples", "help", "answer", "link"}
LINK_SCHEMES = ("http", "https", "mailto")
_TOP_KEYS = {"version", "intents", "out_of_scope"}
# Bounds of a hostile or runaway file (the shipped one: 16 intents, about 1,700 examples, 150 kB); it is read at
# every start, so these keep the worst case to about a second.
MAX_DATASET_BYTES = 4 << 20
MAX_INTENTS = 500
MAX_EXAMPLES = 5000  # per list (an intent's examples, the out-of-scope ones)
MAX_ROWS = 100_000  # examples in the whole file
MAX_EVENTS = 1_000_000  # YAML parser events (scalars, list and mapping starts) in the whole file
MAX_DEPTH = 20  # nesting of lists and mappings (the format needs 5)
SAMPLE_VALUE = "sample"  # what a template field holds when validate renders it
MAX_RENDERED_CHARS = 20_000  # an answer rendered with sample values must stay below this


SlotSpan = tuple[int, int, str]  # (start, end, slot name): character offsets into the plain example
# Inline slot annotation in an example: "noticias de [tecnología](topic)". The brackets hold the words as typed,
# the parentheses one of core.slots.SLOT_NAMES.
_MARKUP = re.compile(r"\[([^\[\]()]+)\]\(([^()\[\]]*)\)")


def parse_markup(text: str, where: str = "example") -> tuple[str, tuple[SlotSpan, ...]]:
    """The plain request and its annotated spans; DatasetError for an unknown slot name or a stray bracket."""
    plain: list[str] = []
    spans: list[SlotSpan] = []
    last = 0
    for match in _MARKUP.finditer(text):
        name = match[2].strip()
        if name not in SLOT_NAMES:
            raise DatasetError(f"{where}: {match[0]!r} names slot {name!r}; expected one of {list(SLOT_NAMES)}, "
                               "as in «noticias de [tecnología](topic)».")
        words = match[1]
        if words != words.strip():
            raise DatasetError(f"{where}: {match[0]!r}: no spaces inside the brackets; "
                               f"write [{words.strip()}]({name}).")
        plain.append(text[last:match.start()])
        start = sum(map(len, plain))
        plain.append(words)
        spans.append((start, start + len(words), name))
        last = match.end()
    plain.append(text[last:])
    result = "".join(plain)
    stray = re.search(r"\[[^\]]*\]\(|\]\(", result)
    if stray:
        raise DatasetError(f"{where}: {text!r} has an unfinished slot annotation near {stray[0]!r}; write "
                           "[words](slot), as in «noticias de [tecnología](topic)».")
    return result, tuple(spans)


@dataclass(frozen=True)
class Intent:
    name: str
    display_name: dict[str, str]  # language code -> name shown to people
    description: dict[str, str]  # language code -> one line
    examples: tuple[str, ...]
    help_examples: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> phrases shown to people
    answer: dict[str, str] | None = None  # language -> answer template ({phone} etc. from business.toml)
    link: str = ""  # an http(s) or mailto link offered with the answer
    # The slots annotated inline in each example ("[mañana](day)"), aligned with `examples` (plain text there);
    # an example without annotations has none: every intent example is a fully annotated slot training row.
    slot_spans: tuple[tuple[SlotSpan, ...], ...] = ()

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

    def slot_spans(self) -> dict[str, tuple[SlotSpan, ...]]:
        """Plain example text -> its annotated slots, for every intent example (out-of-scope rows carry no slot
        labels: the slot tagger is not taught either way on them)."""
        return {text: spans for intent in self.intents
                for text, spans in zip(intent.examples, intent.slot_spans or [()] * len(intent.examples), strict=True)}


def dedup_key(text: str) -> str:
    """Two examples are duplicates when this is equal (case, Unicode form and spacing aside)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _check_keys(where: str, found: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise DatasetError(f"{where}: unknown key(s) {unknown}; allowed keys are {sorted(allowed)}.")


def _languages(where: str, value: Any) -> dict[str, str]:
    texts = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    if not texts or set(value) != set(LANGUAGES):
        raise DatasetError(f"{where}: expected a mapping with keys {list(LANGUAGES)} and text values, "
                           f"found {value!r:.200}.")
    return {str(k): v for k, v in value.items()}


def _examples(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise DatasetError(f"{where}: expected a non-empty list of examples, found {value!r:.200}. Add examples.")
    if len(value) > MAX_EXAMPLES:
        raise DatasetError(f"{where}: {len(value)} examples, more than {MAX_EXAMPLES}; a few hundred are enough.")
    wrong = next((v for v in value if not isinstance(v, str)), None)
    if wrong is not None:  # a list or mapping where a request should be would otherwise train as "['a', 'b']"
        raise DatasetError(f"{where}: every example must be text, found {type(wrong).__name__} {wrong!r:.80}; "
                           "quote it or write it on one line.")
    texts = tuple(v.strip() for v in value)
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
    parsed = [parse_markup(text, f"{where} examples") for text in _examples(f"{where} examples", raw.get("examples"))]
    return Intent(
        name=name,
        display_name=_languages(f"{where} display_name", raw.get("display_name")),
        description=_languages(f"{where} description", raw.get("description")),
        examples=tuple(text for text, _ in parsed),
        slot_spans=tuple(spans for _, spans in parsed),
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
    """The {field} names a template uses; raises ValueError for a malformed one ("{phone", "{0}", "{a.b}") and for
    format specs, widths and conversions ("{shipping:x>20000000}" would build a 20 MB string, "{phone!r}")."""
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"placeholders must be names like {{phone}}, found {{{name}}}")
        if spec or conversion:
            raise ValueError(f"placeholders take no format spec, width or conversion: write {{{name}}}, "
                             f"found {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}")
        names.add(name)
    return names


def check_template(template: str) -> set[str]:
    """template_fields, then a render with sample values: what validate-intents and the loader accept is what
    the answer action can render, quickly and at a bounded size."""
    names = template_fields(template)
    rendered = template.format_map({name: SAMPLE_VALUE for name in names})
    if len(rendered) > MAX_RENDERED_CHARS:
        raise ValueError(f"the answer is {len(rendered)} characters long, more than {MAX_RENDERED_CHARS}")
    return names


def _answer(where: str, value: Any) -> dict[str, str]:
    answer = _languages(where, value)
    for lang, text in answer.items():
        if not text.strip():
            raise DatasetError(f"{where} {lang}: the answer is empty; write the text or remove 'answer'.")
        try:
            check_template(text)
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
        key = dedup_key(text)
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
    raw_intents = raw.get("intents") or []
    if not isinstance(raw_intents, list) or len(raw_intents) > MAX_INTENTS:
        raise DatasetError(f"'intents' must be a list of at most {MAX_INTENTS} intents, found "
                           f"{len(raw_intents) if isinstance(raw_intents, list) else type(raw_intents).__name__}.")
    intents = tuple(_parse_intent(i, item) for i, item in enumerate(raw_intents))
    if not intents:
        raise DatasetError("No intents defined: add at least one under 'intents:'.")
    names = [intent.name for intent in intents]
    if len(set(names)) != len(names) or OUT_OF_SCOPE in names:
        raise DatasetError(f"Intent names must be unique and not {OUT_OF_SCOPE!r}; found {names}.")
    oos_raw = raw.get("out_of_scope") or {}
    if not isinstance(oos_raw, dict):
        raise DatasetError(f"out_of_scope: expected a mapping with 'examples', found {type(oos_raw).__name__}.")
    _check_keys("out_of_scope", oos_raw, {"examples", "near_miss"})
    near_miss = _examples("out_of_scope near_miss", oos_raw["near_miss"]) if "near_miss" in oos_raw else ()
    dataset = IntentDataset(intents, _examples("out_of_scope examples", oos_raw.get("examples")), sha256, near_miss)
    if len(dataset.rows()) > MAX_ROWS:
        raise DatasetError(f"{len(dataset.rows())} examples in all, more than {MAX_ROWS}.")
    _check_duplicates(dataset.rows())
    return dataset


def _check_events(text: str, loader: Any) -> None:
    """One fast pass over the parser's events before anything is built: refuse anchors and aliases (a 704-byte
    alias bomb expands to gigabytes; the format needs neither), deep nesting and runaway event counts."""
    depth = 0
    for count, event in enumerate(yaml.parse(text, Loader=loader)):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            line = event.start_mark.line + 1 if event.start_mark else "?"
            raise DatasetError(f"line {line}: YAML anchors and aliases (&name, *name) are not allowed in an intents "
                               "file; write the text out in full.")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise DatasetError(f"the file nests lists and mappings more than {MAX_DEPTH} deep.")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if count > MAX_EVENTS:
            raise DatasetError(f"the file holds more than {MAX_EVENTS} YAML items; an intents file has a few thousand.")


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
        text = data.decode("utf-8")
        _check_events(text, loader)
        raw = yaml.load(text, Loader=loader)
        return parse_dataset(raw, hashlib.sha256(data).hexdigest())
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} is not valid UTF-8 YAML: {exc}") from exc
    except DatasetError as exc:
        raise DatasetError(f"{path}: {exc}") from exc
    except (MemoryError, RecursionError) as exc:  # whatever slipped past the bounds: still the dataset's fault
        raise DatasetError(f"{path} is too large or too deeply nested to load ({type(exc).__name__}); an intents "
                           "file is a few hundred kB of plain lists.") from None
