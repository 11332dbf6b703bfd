"""Slots: the parts of a request an action needs ("tecnología" for the news, "mañana" and "cierran" for the
hours), with character offsets into the request as typed, and the rule-based tagger that finds them.

    tag("¿a qué hora cierran mañana?", "es")
    -> [Slot("field", "hours", 6, 10), Slot("field", "closing", 11, 19), Slot("day", "+1", 20, 26)]

The words live in resources/locale/<lang>/slots.yaml, not in code: each slot maps a canonical value (what the
actions understand: "+1", "closing", "technology") to the phrases that name it. Matching is on whole words
(never a prefix: "called" is not "call"), ignoring case and accents, longest phrase first. Adding a language is
adding a folder: `languages()` reads the list from resources/locale/.

These rules fill in what the model's slot layer leaves untagged (issue 22, `resolve`): an action reads a list of
Slot and does not care who made it, so a model-tagged list can replace `tag()` without touching the actions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import DatasetError
from core.text import fold

SLOT_NAMES = ("topic", "day", "time", "part_of_day", "field", "order_ref")
MAX_LOCALE_BYTES = 256 << 10  # a locale file is a few kB; a bigger one is not ours
_WORD = re.compile(r"\w+")
Phrase = tuple[str, ...]  # a phrase as folded words: ("por", "la", "manana")


@dataclass(frozen=True)
class Slot:
    name: str  # one of SLOT_NAMES
    value: str  # the canonical value: "+1", "mon", "18:00", "closing", "technology", "AB-1234"
    start: int  # character offsets into the request as typed: text[start:end] is what named it
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Locale:
    """One language's words, folded and ready to match."""

    language: str
    phrases: Mapping[Phrase, tuple[str, str]]  # (folded words) -> (slot name, canonical value)
    hints: Mapping[Phrase, str]  # field words that count only when no field word is present
    time_prefixes: frozenset[Phrase]
    time_after: Mapping[Phrase, str]  # "de la noche" -> "night"
    am: frozenset[Phrase]
    pm: frozenset[Phrase]
    order_prefixes: frozenset[Phrase]
    fillers: frozenset[str]
    day_names: tuple[str, ...]  # Monday first, as shown to the user
    topic_names: Mapping[str, str]  # canonical topic -> its name in this language
    small_talk: Mapping[Phrase, str]  # "muchas gracias" -> "thanks"

    @property
    def longest(self) -> int:
        return max((len(p) for p in self.phrases), default=1)


def phrase_words(text: str) -> Phrase:
    return tuple(_WORD.findall(fold(text)))


def read_locale_file(path: Path) -> dict[str, Any]:
    # yaml is imported here: the engine process imports this module for Slot and decode_tags and never reads a
    # locale file, and its memory counts against the packaged app's budget
    import yaml

    if path.stat().st_size > MAX_LOCALE_BYTES:
        raise DatasetError(f"{path} is larger than {MAX_LOCALE_BYTES} bytes; a locale file is a few kB.")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} is not valid YAML ({exc}); fix the file or copy resources/locale/en.") from exc
    if not isinstance(data, dict):
        raise DatasetError(f"{path}: expected a mapping of sections, found {type(data).__name__}.")
    return data


def _synonyms(section: Any, where: str) -> dict[str, list[Phrase]]:
    """{canonical: [phrases]} from a YAML mapping of canonical value -> list of phrases."""
    if not isinstance(section, dict):
        raise DatasetError(f"{where}: expected a mapping of canonical value -> list of phrases, found {section!r:.80}.")
    out: dict[str, list[Phrase]] = {}
    for value, phrases in section.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) and phrase_words(p) for p in phrases):
            raise DatasetError(f"{where}.{value}: expected a list of words or phrases, found {phrases!r:.80}.")
        out[str(value)] = [phrase_words(p) for p in phrases]
    return out


def _phrase_list(section: Any, where: str) -> frozenset[Phrase]:
    if not isinstance(section, list) or not all(isinstance(p, str) and phrase_words(p) for p in section):
        raise DatasetError(f"{where}: expected a list of words or phrases, found {section!r:.80}.")
    return frozenset(phrase_words(p) for p in section)


def _add(table: dict[Phrase, tuple[str, str]], phrase: Phrase, entry: tuple[str, str], where: str) -> None:
    if table.get(phrase, entry) != entry:
        raise DatasetError(f"{where}: {' '.join(phrase)!r} names both {table[phrase]} and {entry}; a phrase may "
                           "name one value only (remove it from one of them).")
    table[phrase] = entry


def parse_locale(language: str, slots: dict[str, Any], small_talk: dict[str, Any], where: str) -> Locale:
    """A Locale from the two files' contents; DatasetError says which entry is wrong."""
    phrases: dict[Phrase, tuple[str, str]] = {}
    for name in ("day", "part_of_day", "field", "topic"):
        for value, items in _synonyms(slots.get(name, {}), f"{where}/slots.yaml:{name}").items():
            for phrase in items:
                _add(phrases, phrase, (name, value), f"{where}/slots.yaml:{name}")
    time = slots.get("time", {})
    if not isinstance(time, dict):
        raise DatasetError(f"{where}/slots.yaml:time: expected a mapping (prefixes, after, am, pm, named).")
    for value, items in _synonyms(time.get("named", {}), f"{where}/slots.yaml:time.named").items():
        for phrase in items:
            _add(phrases, phrase, ("time", value), f"{where}/slots.yaml:time.named")
    after = {p: part for part, items in _synonyms(time.get("after", {}), f"{where}/slots.yaml:time.after").items()
             for p in items}
    hints = {p: value for value, items in _synonyms(slots.get("field_hint", {}), f"{where}/slots.yaml:field_hint")
             .items() for p in items}
    names = slots.get("names", {})
    day_names = names.get("day", []) if isinstance(names, dict) else []
    if not isinstance(day_names, list) or len(day_names) != 7:
        raise DatasetError(f"{where}/slots.yaml:names.day: expected the seven weekday names, Monday first.")
    topic_names = names.get("topic", {})
    if not isinstance(topic_names, dict):
        raise DatasetError(f"{where}/slots.yaml:names.topic: expected a mapping of topic -> its name.")
    talk: dict[Phrase, str] = {}
    for kind, items in _synonyms(small_talk, f"{where}/smalltalk.yaml").items():
        talk.update((phrase, kind) for phrase in items)
    order = slots.get("order_ref", {})
    return Locale(
        language=language, phrases=phrases, hints=hints,
        time_prefixes=_phrase_list(time.get("prefixes", []), f"{where}/slots.yaml:time.prefixes"),
        time_after=after,
        am=_phrase_list(time.get("am", []), f"{where}/slots.yaml:time.am"),
        pm=_phrase_list(time.get("pm", []), f"{where}/slots.yaml:time.pm"),
        order_prefixes=_phrase_list(order.get("prefixes", []) if isinstance(order, dict) else order,
                                    f"{where}/slots.yaml:order_ref.prefixes"),
        fillers=frozenset(w for p in _phrase_list(slots.get("fillers", []), f"{where}/slots.yaml:fillers") for w in p),
        day_names=tuple(map(str, day_names)), topic_names={str(k): str(v) for k, v in topic_names.items()},
        small_talk=talk,
    )


def locale_root(resources: Path | None = None) -> Path:
    """resources/locale of `resources` when it has one (tests, deployers), else the bundled one."""
    if resources is not None and (resources / "locale").is_dir():
        return resources / "locale"
    from core.paths import resource_root  # here: the engine process needs no user paths (platformdirs)

    return resource_root() / "locale"


@functools.cache
def languages(root: Path | None = None) -> tuple[str, ...]:
    """The one language list: the folders of resources/locale that hold a slots.yaml, sorted."""
    folder = root or locale_root()
    return tuple(sorted(p.name for p in folder.iterdir() if (p / "slots.yaml").is_file()))


@functools.cache  # the files are read-only bundle data; read once per folder, never per request
def load_locale(language: str, root: Path | None = None) -> Locale:
    folder = (root or locale_root()) / language
    if not (folder / "slots.yaml").is_file():
        raise DatasetError(f"No locale for language {language!r}: expected {folder}/slots.yaml; add the folder "
                           f"(copy resources/locale/en) or use one of {languages(root)}.")
    talk = read_locale_file(folder / "smalltalk.yaml") if (folder / "smalltalk.yaml").is_file() else {}
    return parse_locale(language, read_locale_file(folder / "slots.yaml"), talk, str(folder))


def locale_of(language: str, root: Path | None = None) -> Locale:
    """The language's locale, or English for a language without a folder (answers never fail on it)."""
    available = languages(root)
    return load_locale(language if language in available else "en", root)


# ---- tagging ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    word: str  # folded
    start: int  # offsets into the original text
    end: int


def tokens(text: str) -> list[_Token]:
    """The words of `text`, folded, with their offsets in `text` as typed (folding may change lengths)."""
    folded, origin = [], []
    for index, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    flat = "".join(folded)
    return [_Token(m[0], origin[m.start()], origin[m.end() - 1] + 1) for m in _WORD.finditer(flat)]


def _match(words: list[str], at: int, table: Iterable[Phrase], longest: int) -> int:
    """The length of the longest phrase of `table` starting at words[at], 0 when none."""
    options = table if isinstance(table, (set, frozenset, dict)) else set(table)
    for size in range(min(longest, len(words) - at), 0, -1):
        if tuple(words[at:at + size]) in options:
            return size
    return 0


_CLOCK = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?(am|pm|h)?$")


def _clock_value(hour: int, minute: int, half: str, part: str) -> str | None:
    """"HH:MM" for an hour read with its am/pm or part of the day: 12am and 12 at night are midnight."""
    if half == "am" or part in ("morning", "small_hours"):
        hour = 0 if hour == 12 and half == "am" else hour
    elif half == "pm" or part == "afternoon":
        hour = hour + 12 if hour < 12 else hour
    elif part == "night":
        hour = 0 if hour == 12 else hour + 12 if 6 <= hour < 12 else hour
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def _time_at(toks: list[_Token], at: int, locale: Locale) -> tuple[Slot, int] | None:
    """A clock time starting at toks[at] ("18:30", "6pm", "12 de la noche" after a prefix) and the tokens used."""
    words = [t.word for t in toks]
    prefixed = at > 0 and any(tuple(words[at - len(p):at]) == p for p in locale.time_prefixes if len(p) <= at)
    match = _CLOCK.match(words[at])
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3] or ""
    used = 1
    if not match[2] and at + 1 < len(words) and re.fullmatch(r"\d{2}", words[at + 1]) and \
            toks[at + 1].start == toks[at].end + 1:  # "18:30" and "18.30" tokenise as two numbers
        minute, used = int(words[at + 1]), 2
    half = "" if half == "h" else half
    if not half:
        size = _match(words, at + used, locale.am | locale.pm, 2)
        if size:
            half = "am" if tuple(words[at + used:at + used + size]) in locale.am else "pm"
            used += size
    part = ""
    size = _match(words, at + used, locale.time_after, 4)
    if size:
        part = locale.time_after[tuple(words[at + used:at + used + size])]
        used += size
    if not (prefixed or used > 1 or match[2]):
        return None  # a bare number ("calle 12") is not a time
    value = _clock_value(hour, minute, half, part)
    if value is None:
        return None
    return Slot("time", value, toks[at].start, toks[at + used - 1].end), used


def _order_at(text: str, toks: list[_Token], at: int, locale: Locale) -> tuple[Slot, int] | None:
    """An order reference: "#7712", or a code with digits right after an order word ("pedido AB-1234")."""
    token = toks[at]
    hashed = token.start > 0 and text[token.start - 1] == "#"
    words = [t.word for t in toks]
    prefixed = any(tuple(words[max(0, at - len(p)):at]) == p for p in locale.order_prefixes)
    if not (hashed or prefixed):
        return None
    end, used = token.end, 1
    if at + 1 < len(toks) and text[token.end:toks[at + 1].start] == "-":  # "AB-1234" is one code
        end, used = toks[at + 1].end, 2
    if not any(c.isdigit() for c in text[token.start:end]):
        return None
    start = token.start - 1 if hashed else token.start
    return Slot("order_ref", text[token.start:end].upper(), start, end), used


def tag_locale(text: str, locale: Locale) -> list[Slot]:
    """Every slot one locale's rules find in `text`, in text order, none overlapping; whole words only."""
    toks = tokens(text)
    words = [t.word for t in toks]
    slots: list[Slot] = []
    hints: list[Slot] = []
    longest = locale.longest
    i = 0
    while i < len(toks):
        prefix = max((len(p) for p in locale.order_prefixes if tuple(words[i:i + len(p)]) == p), default=0)
        if prefix and i + prefix < len(toks) and _order_at(text, toks, i + prefix, locale):
            i += prefix  # "order number 48213": the words before the code name no other slot
            continue
        found = _time_at(toks, i, locale) or _order_at(text, toks, i, locale)
        if found:
            slots.append(found[0])
            i += found[1]
            continue
        size = _match(words, i, locale.phrases, longest)
        if size:
            name, value = locale.phrases[tuple(words[i:i + size])]
            slots.append(Slot(name, value, toks[i].start, toks[i + size - 1].end))
            i += size
            continue
        size = _match(words, i, locale.hints, 2)
        if size:
            hints.append(Slot("field", locale.hints[tuple(words[i:i + size])], toks[i].start, toks[i + size - 1].end))
            i += size
            continue
        i += 1
    if not any(s.name == "field" for s in slots):
        slots = sorted(slots + hints, key=lambda s: s.start)
    return slots


def tag(text: str, lang: str, root: Path | None = None) -> list[Slot]:
    """The slots of a request: the rules of `lang` first, then any other language's where those found nothing
    (the answer language is the user's setting, and people type the other language too: "tech news" with
    Spanish answers). Offsets are into `text` as typed."""
    slots = tag_locale(text, locale_of(lang, root))
    for other in languages(root):
        if other == lang:
            continue
        had_field = any(s.name == "field" for s in slots)
        for slot in tag_locale(text, load_locale(other, root)):
            if slot.name == "field" and had_field:
                continue  # another language's reading must not add a field to an earlier language's
            if all(slot.end <= s.start or slot.start >= s.end for s in slots):
                slots.append(slot)
    return sorted(slots, key=lambda s: s.start)


def values(slots: Iterable[Slot], name: str) -> list[str]:
    """The canonical values of the slots named `name`, in text order, without repeats."""
    return list(dict.fromkeys(s.value for s in slots if s.name == name))


def content_words(text: str, slots: Iterable[Slot] = (), root: Path | None = None) -> set[str]:
    """The folded words of `text` outside every slot that are neither fillers (of any language) nor numbers:
    what a request is about beyond its slots ("libros", "segunda", "mano" in «¿tienen libros de segunda mano?»)."""
    fillers = frozenset().union(*(load_locale(lang, root).fillers for lang in languages(root)))
    spans = [(s.start, s.end) for s in slots]
    return {t.word for t in tokens(text) if t.word not in fillers and not t.word.isdigit() and len(t.word) > 1
            and not any(start <= t.start < end for start, end in spans)}


# ---- slots tagged by the model (issue 22) ---------------------------------------------------------------


def skip_spaces(text: str, start: int, end: int) -> int:
    """The first offset in [start, end) that is not a space (`end` when all are): where a token's word begins."""
    while start < end and start < len(text) and text[start].isspace():
        start += 1
    return start


def decode_tags(tag_ids: Sequence[int], offsets: Sequence[tuple[int, int]], model_text: str, prefix_len: int,
                origin: Sequence[int], tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans (start, end, name) in the text before its model form, from one row's predicted BIO tags.

    `offsets` are the tokens' character offsets into `model_text` (prefix + model form), `origin` maps each
    model-form character back to the text (core.text.model_form_with_origin). A B- starts a span, an I- of the
    same name continues it (an I- alone starts one), anything else ends it; a span that ends inside a word takes
    the whole word. Tokens of the prefix, special tokens and spaces carry nothing."""
    spans: list[tuple[int, int, str]] = []
    open_span = False
    for tag_id, (start, end) in zip(tag_ids, offsets, strict=True):
        start = skip_spaces(model_text, start, end)  # SentencePiece: "▁word" starts at the space before it
        at, stop = start - prefix_len, end - prefix_len
        if at < 0 or stop > len(origin):
            open_span = False
            continue
        if at >= stop:
            continue  # a space-only token neither opens nor closes a span
        tag = tags[tag_id] if 0 <= tag_id < len(tags) else "O"
        if tag == "O" or "-" not in tag:
            open_span = False
            continue
        kind, name = tag.split("-", 1)
        first, last = origin[at], origin[stop - 1] + 1
        if kind == "I" and open_span and spans[-1][2] == name:
            spans[-1] = (spans[-1][0], max(spans[-1][1], last), name)
        else:
            spans.append((first, last, name))
        open_span = True
    return spans


def _word_char(char: str) -> bool:
    """A letter, digit or combining mark (a mark NFC leaves apart belongs to its letter: "q\u0301uimica")."""
    import unicodedata

    return char.isalnum() or unicodedata.category(char).startswith("M")


def whole_words(text: str, spans: Iterable[tuple[int, int, str]]) -> list[Slot]:
    """Tagged spans widened to whole words and trimmed of spaces, adjacent ones of one name joined, as Slots whose
    value is the words as typed."""
    out: list[Slot] = []
    for start, end, name in spans:
        while start > 0 and _word_char(text[start - 1]) and _word_char(text[start]):
            start -= 1
        while end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]):
            end += 1
        while start < end and not text[start].isalnum() and text[start] != "#":
            start += 1
        while end > start and not _word_char(text[end - 1]):
            end -= 1
        if end <= start or name not in SLOT_NAMES:
            continue
        if out and out[-1].name == name and not text[out[-1].end:start].strip():
            # adjacent words naming one slot are one span (the annotation convention: "[hora abrís](field)",
            # "[world cup](topic)"): a model that tags the second word B- instead of I- means the same thing
            start = out.pop().start
        out.append(Slot(name, text[start:end], start, end))
    return out


def _overlaps(a: Slot, b: Slot) -> bool:
    return a.start < b.end and b.start < a.end


def canonical(text: str, tagged: Sequence[Slot], lang: str, root: Path | None = None,
              ruled: Sequence[Slot] | None = None) -> list[Slot]:
    """The model's spans with canonical values from the locale files, the words of the span being what was typed:
    the value the rules give the same words (in the request, else in the span alone: "cierran" -> closing,
    "mañana" -> +1, "6pm" -> 18:00). A topic the locale does not list keeps its folded words ("criptomonedas"),
    an order reference its code; a day, time, part of the day or field the locale cannot read is dropped (an
    action must never act on a value it does not understand). `ruled`: tag(text, lang, root) when the caller
    has it already (resolve)."""
    ruled = tag(text, lang, root) if ruled is None else ruled
    out: list[Slot] = []
    for slot in tagged:
        words = text[slot.start:slot.end]
        same = [r for r in ruled if r.name == slot.name and _overlaps(r, slot)]
        inner = [r for r in tag(words, lang, root) if r.name == slot.name] if not same else []
        if slot.name == "field" and inner and any(r.name == "field" for r in ruled):
            inner = []  # a question word ("dónde", "where") names a field only when nothing else in the request does
        # a value the rules read keeps the offsets of the words that name it ("tomorrow" in a span the model
        # stretched over "opening hours tomorrow"); the span alone's rules are shifted onto the request
        read = same or [Slot(r.name, r.value, slot.start + r.start, slot.start + r.end) for r in inner]
        if slot.name == "order_ref":
            value = words.lstrip("#").upper()
        elif read:
            out.extend(r for i, r in enumerate(read) if r.value not in {x.value for x in read[:i]})
            continue
        elif slot.name == "topic":
            value = " ".join(phrase_words(words))
        else:
            continue
        if value:
            out.append(Slot(slot.name, value, slot.start, slot.end))
    return out


def resolve(text: str, tagged: Sequence[Slot] | None, lang: str, root: Path | None = None) -> list[Slot]:
    """The slots an action reads: the model's (canonical values), plus what the rules find where the model tagged
    nothing of that kind (the words it left untagged, or another slot inside its span: "mañana por la tarde" as
    one day span still reads the afternoon); the rules alone for a bundle without a slot layer."""
    ruled = tag(text, lang, root)
    if not tagged:
        return ruled
    found = canonical(text, tagged, lang, root, ruled)
    extra = [r for r in ruled if not any(r.name == m.name and _overlaps(r, m) for m in tagged)
             and not any(r.name == f.name and r.value == f.value for f in found)]
    return sorted(found + extra, key=lambda s: (s.start, s.end))


def request_slots(text: str, tagged: Sequence[Slot] | None = None, root: Path | None = None,
                  typed: str | None = None) -> list[dict[str, Any]]:
    """The slots of a request as the CLI and the API report them (`classify` rows, `route --json`): the model's
    spans (canonical values) and the rules for what it left untagged, read in the language the text looks written
    in. Offsets are into `typed` (the request as typed) when given, else into `text` (as cleaned)."""
    from core.language import guess_language

    slots = resolve(text, tagged, guess_language(text), root)
    if typed is not None and typed != text:
        slots = typed_offsets(typed, text, slots)
    return [slot.to_json() for slot in slots]


def typed_offsets(typed: str, cleaned: str, slots: Sequence[Slot]) -> list[Slot]:
    """Slots with offsets into `typed` instead of `cleaned` (core.text.clean_text drops control characters,
    joins spaces, trims and composes to NFC). Each cleaned character is matched to the typed characters it came
    from (itself, a run of spaces, or the 1-4 characters NFC turned into it: "e\u0301" -> "é", "\u212b" -> "Å").
    Slots keep their cleaned offsets only where the texts cannot be aligned at all."""
    import unicodedata

    starts: list[int] = []
    ends: list[int] = []
    j = 0
    for char in cleaned:
        size = 0
        while j < len(typed):
            if char == " " and typed[j].isspace():
                size = 1
            else:
                size = next((k for k in range(1, 5) if unicodedata.normalize("NFC", typed[j:j + k]) == char), 0)
            if size:
                break
            j += 1  # a character clean_text dropped (a control character, a space it trimmed)
        if not size:
            return list(slots)
        starts.append(j)
        j += size
        if char == " ":
            while j < len(typed) and typed[j].isspace():
                j += 1
        ends.append(j)
    return [Slot(slot.name, slot.value, starts[slot.start], ends[slot.end - 1]) for slot in slots]
