"""One-letter typos read as the word meant: a word the model never saw, one edit away from a word it knows.

The bundle carries a lexicon (`lexicon.json`): `words`, every word of the training rows and of the public
datasets' train splits in the bundle's text form, with its count; and `known`, real words never corrected (the
model tokenizer's whole words and the common Spanish and English words of wordfreq, scripts/lexicon.py). A
request's word that is in neither, has at least `min_letters` letters and is one edit (a letter deleted, added or
replaced, or two neighbours swapped) from lexicon words is read as the most frequent of them; when two are
equally frequent, or none is one edit away, the word stays as typed. "notciias" → "noticias", «perfli» →
«perfil», «orario» → «horario», "acount" → "account"; «tomo», «dices» and "markets" stay.

Training reads its rows through the same lexicon (core.text.model_form_with_origin), and every training row's
words are in it by construction, so training saw exactly what the engine reads. (A run trained before lexicons
that gets one afterwards, scripts/lexicon.py, is read the same way as long as it trained on no noisy copies.)

Measured on val with the shipped model (reports/ablation/spelling_val.json): decisions changed by one typo or
filler word (scripts.evaluate) fell from 20.4 % to 7.2 % of rows, by a typo in a word's first letter from 30.9 %
to 5.4 %; the requests as written and the public datasets' val rows kept every figure (one more val row right).
Without the known words, a lexicon of our rows read 23 correctly spelt val requests otherwise («tomo» → «todo»,
"markets" → "market"); of our rows alone, it also cost public out-of-scope rows (MTOD en 99.5 → 98.7 %). Words
of 3 letters cost a val out-of-scope row for two noisy ones, hence `min_letters` 4.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.bundle import MAX_LEXICON_BYTES  # the shipped file is 1.3 MB (120k words); a bound for hostile ones
from core.errors import BundleCorruptError
from core.text import model_form, sub_with_origin

LEXICON_FILE = "lexicon.json"
LEXICON_SCHEMA = 1
MAX_LEXICON_WORDS = 300_000
MAX_WORD_LETTERS = 40
MIN_LETTERS = 4  # shorter words are too often one edit from several real ones ("nws": news, new, now)
WORD = re.compile(r"[^\W\d_]+")  # letter runs: digits, order numbers and punctuation are never corrected


@dataclass(frozen=True)
class Speller:
    words: Mapping[str, int]  # word in the text form -> how often the training data used it (>= 1)
    min_letters: int = MIN_LETTERS  # words shorter than this are left as typed
    known: frozenset[str] = frozenset()  # real words never corrected nor offered (tokenizer's, wordfreq's)
    _letters: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _longest: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 2 <= self.min_letters <= MAX_WORD_LETTERS:
            raise ValueError(f"min_letters must be in [2, {MAX_WORD_LETTERS}], found {self.min_letters}.")
        object.__setattr__(self, "_letters", tuple(sorted({c for word in self.words for c in word})))
        object.__setattr__(self, "_longest", max(map(len, self.words), default=0))

    def word(self, typed: str) -> str:
        """`typed` as meant: itself when known, short or not one edit from exactly one most frequent word."""
        if (len(typed) < self.min_letters or len(typed) > self._longest + 1  # no word is one edit from it;
                # and a pasted 4,000-letter "word" would otherwise make ~300,000 candidates of 4,000 letters
                or typed in self.words or typed in self.known):
            return typed
        found = sorted(((self.words[w], w) for w in self._neighbours(typed) if w in self.words), reverse=True)
        if not found or (len(found) > 1 and found[0][0] == found[1][0]):
            return typed  # nothing near, or a tie: guessing would be a coin toss
        return found[0][1]

    def _neighbours(self, typed: str) -> set[str]:
        """Every string one edit from `typed`, the first letter included («orario» → «horario»)."""
        out: set[str] = set()
        for i in range(len(typed) + 1):
            head, tail = typed[:i], typed[i:]
            if tail:
                out.add(head + tail[1:])  # deleted
            if len(tail) > 1:
                out.add(head + tail[1] + tail[0] + tail[2:])  # swapped
            for letter in self._letters:
                if tail:
                    out.add(head + letter + tail[1:])  # replaced
                out.add(head + letter + tail)  # added
        return out

    def correct_with_origin(self, text: str, origin: list[int]) -> tuple[str, list[int]]:
        """`text` with each word read as meant; each output character keeps the index (into the request as
        typed) of the typed character at its place, so a slot span maps back onto the typed word."""
        return sub_with_origin(WORD, text, origin, self._meant_with_origin)

    def _meant_with_origin(self, match: re.Match[str], span: list[int]) -> tuple[str, list[int]]:
        meant = self.word(match[0])
        # letter by letter, and the last one to the typed word's last: the span covers the whole typed word
        # whether the correction made it longer ("acount") or shorter ("noticiass")
        return meant, [*(span[min(i, len(span) - 1)] for i in range(len(meant) - 1)), span[-1]]


def count_words(texts: Iterable[str], form: str) -> dict[str, int]:
    """Every word of `texts` in the text form `form`, with its count (the lexicon's `words`)."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in WORD.findall(model_form(text, form)):
            if is_word(word):  # "½" and "²" match WORD but are not letters
                counts[word] = counts.get(word, 0) + 1
    return counts


def vocabulary_words(vocabulary: Iterable[str], form: str) -> set[str]:
    """The whole words of a tokenizer vocabulary in the text form `form`: SentencePiece's word-initial pieces
    ("▁formas"), or for a WordPiece vocabulary (no "▁" pieces) the pieces that do not continue a word ("##")."""
    pieces = list(vocabulary)
    sentencepiece = any(p.startswith("\u2581") for p in pieces)
    out = set()
    for piece in pieces:
        if sentencepiece:
            if not piece.startswith("\u2581"):
                continue
            piece = piece[1:]
        elif piece.startswith("##"):
            continue
        word = model_form(piece, form) if piece.strip() else ""
        if is_word(word):
            out.add(word)
    return out


def lexicon_json(words: Mapping[str, int], form: str, min_letters: int = MIN_LETTERS,
                 known: Iterable[str] = ()) -> dict[str, Any]:
    """The lexicon file's content, sorted so the same words always give the same bytes (and sha256)."""
    return {"schema": LEXICON_SCHEMA, "text_form": form, "min_letters": min_letters,
            "words": dict(sorted(words.items())), "known": sorted(set(known))}


def is_word(word: Any) -> bool:
    """A lexicon word: 1 to MAX_WORD_LETTERS letters (\"½\" and \"²\" match WORD but are not letters)."""
    return isinstance(word, str) and 0 < len(word) <= MAX_WORD_LETTERS and word.isalpha()


def parse_lexicon(raw: Any, form: str) -> Speller:
    """A Speller from the lexicon file's JSON, trusting nothing: types, sizes, the text form, every word."""
    if not isinstance(raw, dict) or raw.get("schema") != LEXICON_SCHEMA:
        raise BundleCorruptError(f"{LEXICON_FILE} must be a JSON object with schema {LEXICON_SCHEMA}, found "
                                 f"{type(raw).__name__} {str(raw.get('schema') if isinstance(raw, dict) else '')!r:.20}"
                                 "; re-export the bundle.")
    if raw.get("text_form") != form:
        raise BundleCorruptError(f"{LEXICON_FILE} is for the text form {raw.get('text_form')!r:.40} but the "
                                 f"manifest says {form!r}; the files come from different exports: re-export.")
    min_letters, words, known = raw.get("min_letters"), raw.get("words"), raw.get("known", [])
    if (isinstance(min_letters, bool) or not isinstance(min_letters, int)
            or not 2 <= min_letters <= MAX_WORD_LETTERS):
        raise BundleCorruptError(f"{LEXICON_FILE} 'min_letters' must be a whole number in [2, {MAX_WORD_LETTERS}], "
                                 f"found {min_letters!r:.40}; re-export the bundle.")
    if not isinstance(words, dict) or not 0 < len(words) <= MAX_LEXICON_WORDS:
        raise BundleCorruptError(f"{LEXICON_FILE} 'words' must map 1 to {MAX_LEXICON_WORDS} words to counts, found "
                                 f"{type(words).__name__} of {len(words) if isinstance(words, dict) else 0}; "
                                 "re-export the bundle.")
    for word, count in words.items():
        if not is_word(word) or isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise BundleCorruptError(f"{LEXICON_FILE} has {word!r:.50}: {count!r:.20}, expected a word of 1 to "
                                     f"{MAX_WORD_LETTERS} letters and a positive whole count; re-export the bundle.")
    if not isinstance(known, list) or len(known) > MAX_LEXICON_WORDS:
        raise BundleCorruptError(f"{LEXICON_FILE} 'known' must list at most {MAX_LEXICON_WORDS} words, found "
                                 f"{type(known).__name__} of {len(known) if isinstance(known, list) else 0}; "
                                 "re-export the bundle.")
    for word in known:
        if not is_word(word):
            raise BundleCorruptError(f"{LEXICON_FILE} 'known' has {word!r:.50}, expected a word of 1 to "
                                     f"{MAX_WORD_LETTERS} letters; re-export the bundle.")
    return Speller(words, min_letters, frozenset(known))


def read_lexicon(path: Path, form: str, sha256: str = "") -> Speller:
    """Read and validate a lexicon file: one bounded read, checked against `sha256` (the manifest's) when given,
    so the bytes parsed are the bytes verified."""
    if path.is_symlink() or not path.is_file():
        raise BundleCorruptError(f"{path} must be a plain file; re-export the bundle.")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_LEXICON_BYTES + 1)
    except OSError as exc:
        raise BundleCorruptError(f"{path} cannot be read ({exc}); re-export the bundle.") from exc
    if len(data) > MAX_LEXICON_BYTES:
        raise BundleCorruptError(f"{path} must be a plain file under {MAX_LEXICON_BYTES >> 20} MB; re-export the "
                                 "bundle.")
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise BundleCorruptError(f"{path} changed after the bundle was verified (sha256 differs from manifest.json); "
                                 "copy the bundle again.")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BundleCorruptError(f"{path} is not readable JSON ({exc}); re-export the bundle.") from exc
    return parse_lexicon(raw, form)
