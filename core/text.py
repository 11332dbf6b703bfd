"""Safe reading of request text: normalisation, control characters, word and character budgets."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.errors import InputTextError

if TYPE_CHECKING:
    from core.spelling import Speller

MAX_WORDS = 200  # the original design's budget: longer requests are cut and flagged
MAX_CHARS = 4000  # hard cap applied before any other work, so huge pastes cannot exhaust memory

# Categories removed: controls (Cc), unpaired surrogates (Cs), private use (Co), unassigned (Cn).
# Format characters (Cf) are kept only when they join emoji (ZWJ) or mark direction in RTL text.
_DROP_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}
_KEEP_FORMAT = {"\u200d", "\u200e", "\u200f"}
_SPACES = re.compile(r"\s+")


# Terminal escape sequences, C0/C1 controls (tab and newline kept), zero-width and bidi-override characters:
# what text from data (feeds, the business file) must lose before a terminal or a label shows it.
# OSC sequences (ESC ] ... BEL or ESC \\: hyperlinks, window titles) go whole, not just their ESC.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,2000}(?:\x07|\x1b\\)"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def strip_escapes(text: str) -> str:
    return _ESCAPES.sub("", text)


def fold(text: str) -> str:
    """Case- and accent-insensitive form for keyword rules: "Teléfono" and "telefono" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class CleanText:
    text: str  # normalised text that is fed to the tokenizer
    truncated: bool  # True when the word or character budget cut the request


def _keep(char: str) -> bool:
    if char in "\t\n\r":
        return True  # whitespace controls become spaces below
    category = unicodedata.category(char)
    if category == "Cf":
        return char in _KEEP_FORMAT
    return category not in _DROP_CATEGORIES


def clean_text(raw: str, max_words: int = MAX_WORDS, max_chars: int = MAX_CHARS) -> CleanText:
    """Normalise `raw` (NFC, no control characters, single spaces) and cut it to the budgets."""
    if not isinstance(raw, str):
        raise InputTextError(f"Expected the request as text, found {type(raw).__name__}.")
    truncated = len(raw) > max_chars
    text = unicodedata.normalize("NFC", "".join(c for c in raw[:max_chars] if _keep(c)))
    words = _SPACES.sub(" ", text).strip().split(" ")
    if len(words) > max_words:
        words, truncated = words[:max_words], True
    text = " ".join(words)
    if not text:
        raise InputTextError("The request is empty: type a few words, for example «¿qué noticias hay?».")
    return CleanText(text=text, truncated=truncated)


# The form a text takes before the model reads it, named in the bundle (manifest `text_form`) and applied the
# same way by training (scripts/train.py) and the engine, so case, accents, a letter typed three times, ¿¡ and
# ?! can never change an answer: "NOTICIAS DE ÚLTIMA HORA", "noticias de ultima hora?" and "Noticias de última
# hora" are one input. "" (older bundles) leaves the text as cleaned.
TEXT_FORMS = ("", "fold-v1")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1{2,}")  # "AYUDAAA", "holaaaa": never a real Spanish/English word
_QUESTION_MARKS = re.compile(r"[¿¡?!]+")


def model_form(text: str, form: str, speller: Speller | None = None) -> str:
    """`text` as the model reads it under `form` (one of TEXT_FORMS), its typos read as meant by `speller`."""
    return model_form_with_origin(text, form, speller)[0]


def _fold_char(char: str) -> str:
    """One character (with its combining marks) under fold-v1: casefolded, accents dropped, but ñ stays ñ (NFD
    splits it into n + a combining tilde): «año» is not «ano»."""
    decomposed = unicodedata.normalize("NFD", char.casefold())
    kept = "".join(c for i, c in enumerate(decomposed)
                   if not unicodedata.combining(c) or (c == "\u0303" and i and decomposed[i - 1] == "n"))
    return unicodedata.normalize("NFC", kept)


# A replacement for one match: given the match and the origins of its characters, the text written in its place
# and the origin of each character of that text.
Replace = Callable[[re.Match[str], list[int]], tuple[str, list[int]]]


def sub_with_origin(pattern: re.Pattern[str], text: str, origin: list[int],
                    replace: Replace) -> tuple[str, list[int]]:
    """re.sub carrying each output character's index into the request as typed (`origin` holds the indices of
    `text`'s characters): the text form's steps here and the lexicon's corrections (core.spelling) alike."""
    out: list[str] = []
    where: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(text[last:match.start()])
        where.extend(origin[last:match.start()])
        written, written_origin = replace(match, origin[match.start():match.end()])
        out.append(written)
        where.extend(written_origin)
        last = match.end()
    out.append(text[last:])
    where.extend(origin[last:])
    return "".join(out), where


def _sub_with_origin(pattern: re.Pattern[str], repl: str, text: str, origin: list[int]) -> tuple[str, list[int]]:
    """A replacement that keeps the match's first character ("\\1") or writes one space, from the match's first
    character."""
    return sub_with_origin(pattern, text, origin,
                           lambda match, span: (match[1] if repl == "\\1" else repl, span[:1]))


def model_form_with_origin(text: str, form: str, speller: Speller | None = None) -> tuple[str, list[int]]:
    """`text` as the model reads it, and for each of its characters the index in `text` it came from, so a span
    the model tags in its own form maps back onto the request as typed (core.slots). With a `speller` (the
    bundle's lexicon, core.spelling), a word one typo from a known word is read as that word, last."""
    folded, origin = _form_with_origin(text, form)
    return speller.correct_with_origin(folded, origin) if speller is not None else (folded, origin)


def _form_with_origin(text: str, form: str) -> tuple[str, list[int]]:
    if form == "":
        return text, list(range(len(text)))
    if form != "fold-v1":
        raise ValueError(f"Unknown text form {form!r}; expected one of {TEXT_FORMS}.")
    chars: list[str] = []
    origin: list[int] = []
    index = 0
    while index < len(text):  # a character with the combining marks after it (text that is not NFC) is one unit
        end = index + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        piece = _fold_char(text[index:end])
        chars.append(piece)
        origin.extend([index] * len(piece))
        index = end
    folded, origin = _sub_with_origin(_REPEATED_LETTER, "\\1", "".join(chars), origin)
    folded, origin = _sub_with_origin(_QUESTION_MARKS, " ", folded, origin)
    folded, origin = _sub_with_origin(_SPACES, " ", folded, origin)
    start = len(folded) - len(folded.lstrip())
    end = len(folded.rstrip())
    if start >= end:  # nothing but ¿?¡! and spaces: the text as cleaned (never an empty input)
        stripped = text.strip()
        first = len(text) - len(text.lstrip())
        return stripped, list(range(first, first + len(stripped)))
    return folded[start:end], origin[start:end]
