"""Noisy copies of training requests: one-letter typos and filler words (issue 21, item 4).

    from scripts.augment import noisy_copies
    rows, spans = noisy_copies(train_rows, splits.slot_spans, share=0.25, seed=13)   # rows + their copies

The text form (core.text, "fold-v1") already makes case, accents, letters typed three times and ¿¡?! unable to
change an answer. What no normalisation can undo is a real typo ("hepl me", «mi perfli») or a word that carries
nothing ("um", «oye», "please"): the model has to have seen them. So a share of the train rows gets one copy with
one such change, picked and applied deterministically from (seed, text): the same data gives the same copies.

- a typo: one letter of one word of four letters or more deleted, doubled, swapped with its neighbour or
  replaced by a neighbouring key on a QWERTY/Spanish keyboard; never the first letter (people rarely miss it),
  never inside an annotated slot (the slot's value must stay what the locale files know);
- a filler: a few words before or after the request, in the request's language.

Slot spans are moved with the text, so the joint model's slot loss trains on the copies too (the slot layer's
refit after training, scripts.joint.refit_slot_head, reads splits.json: the rows as written). `noisy(text, seed)`
gives the copy of one request, which scripts.evaluate uses to measure robustness on val rows the model never saw;
there, without spans, a typo may land inside a slot value too, as a user's would.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Collection, Mapping, Sequence

from core.language import guess_language
from core.spelling import Speller
from core.text import model_form
from scripts.data import Row

Span = tuple[int, int, str]  # (start, end, slot name) in the text

# Keys next to each letter on a QWERTY keyboard (the Spanish layout puts ñ right of l).
_NEIGHBOURS = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok", "o": "ipl",
    "p": "ol", "a": "qsz", "s": "adwx", "d": "sfec", "f": "dgrv", "g": "fhtb", "h": "gjyn", "j": "hkum",
    "k": "jli", "l": "kño", "ñ": "lp", "z": "ax", "x": "zcs", "c": "xvd", "v": "cbf", "b": "vng", "n": "bmh",
    "m": "nj",
}
# Words that carry nothing, as people type them before or after a request.
_FILLERS = {
    "es": {"before": ("oye", "a ver", "pues", "bueno", "hola", "eh", "oye, una pregunta:", "perdona,"),
           "after": ("por favor", "porfa", "gracias", "please", "vale?", "eh")},
    "en": {"before": ("hey", "um", "so", "ok", "hi", "hey there,", "quick question:", "excuse me,"),
           "after": ("please", "pls", "thanks", "thx", "ok?", "lol")},
}
_WORD = re.compile(r"[^\W\d_]{4,}")  # letters only: order numbers, times and e-mail addresses stay as they are
EDITS = ("delete", "double", "swap", "neighbour", "filler")


def _rng(seed: int, text: str) -> random.Random:
    """The random choices for one text: the same (seed, text) always gives the same copy."""
    digest = hashlib.sha256(f"augment\0{seed}\0{text}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _chosen(seed: int, text: str, share: float) -> bool:
    """Whether `text` gets a copy: a hash of (seed, text) below `share`, so adding rows never changes the others."""
    digest = hashlib.sha256(f"augment-share\0{seed}\0{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _shift(spans: Sequence[Span], at: int, by: int) -> tuple[Span, ...]:
    """Spans after position `at` moved by `by` characters (the change never falls inside a span)."""
    return tuple((a + by, b + by, name) if a >= at else (a, b, name) for a, b, name in spans)


def _typo(text: str, spans: Sequence[Span], rng: random.Random, kind: str) -> tuple[str, tuple[Span, ...]] | None:
    """One letter changed in one word outside every span; None when the text has no such word."""
    words = [m for m in _WORD.finditer(text) if not any(a < m.end() and m.start() < b for a, b, _ in spans)]
    if not words:
        return None
    word = rng.choice(words)
    # never the first letter (a swap changes the letter before `at` too)
    at = rng.randrange(word.start() + (2 if kind == "swap" else 1), word.end())
    letter = text[at]
    if kind == "delete":
        return text[:at] + text[at + 1:], _shift(spans, at, -1)
    if kind == "double":
        return text[:at] + letter + text[at:], _shift(spans, at, 1)
    if kind == "swap":
        if text[at - 1] == letter:
            return None
        return text[:at - 1] + letter + text[at - 1] + text[at + 1:], tuple(spans)
    keys = _NEIGHBOURS.get(letter.lower())
    if not keys:  # an accented letter or a letter of another alphabet
        return None
    new = rng.choice(keys)
    return text[:at] + (new.upper() if letter.isupper() else new) + text[at + 1:], tuple(spans)


def _filler(text: str, spans: Sequence[Span], rng: random.Random) -> tuple[str, tuple[Span, ...]]:
    """A filler word before (spans moved by its length) or after the text, in the text's language."""
    words = _FILLERS[guess_language(text)]
    if rng.random() < 0.5:
        before = rng.choice(words["before"]) + " "
        return before + text, _shift(spans, 0, len(before))
    return text.rstrip() + " " + rng.choice(words["after"]), tuple(spans)


def noisy(text: str, seed: int, spans: Sequence[Span] = ()) -> tuple[str, tuple[Span, ...]]:
    """`text` with one typo or one filler (picked from seed and text), and its spans moved along. A text with no
    word to misspell gets a filler."""
    rng = _rng(seed, text)
    kind = rng.choice(EDITS)
    changed = None
    if kind != "filler":
        # a swap of two equal letters or a letter with no neighbour table: a deletion instead; no word: a filler
        changed = _typo(text, spans, rng, kind) or _typo(text, spans, rng, "delete")
    return changed if changed is not None and changed[0] != text else _filler(text, spans, rng)


def noisy_copies(rows: Sequence[Row], slot_spans: Mapping[str, tuple[Span, ...]], share: float, seed: int,
                 avoid: Collection[str] = (), form: str = "",
                 speller: Speller | None = None) -> tuple[list[Row], dict[str, tuple[Span, ...]]]:
    """`rows` followed by one noisy copy of each row chosen by `share` (0 returns them unchanged), and the slot
    spans of every text, the copies' included. A row without spans (out of scope, public rows) makes a copy without
    spans: the slot loss skips both. A copy that the model would read (text form `form`) as one of the rows or of
    `avoid` (the val and test texts) is dropped: a duplicate, a contradiction with another label, or a held-out
    request leaking into training. With the run's lexicon (`speller`), a typo it reads back as the word meant
    makes a copy the model reads as its row: dropped too, so the copies left are the fillers and the typos the
    lexicon cannot undo."""
    if not 0 <= share <= 1:
        raise ValueError(f"share must be in [0, 1], found {share!r}")
    out = list(rows)
    spans = dict(slot_spans)
    seen = {model_form(text, form, speller) for text in [*(t for t, _ in rows), *avoid]}
    for text, label in rows:
        if not _chosen(seed, text, share):
            continue
        copy, moved = noisy(text, seed, slot_spans.get(text, ()))
        read = model_form(copy, form, speller)
        if read in seen:
            continue
        seen.add(read)
        out.append((copy, label))
        if text in slot_spans:
            spans[copy] = moved
    return out, spans
