"""What the user taught: a request they chose or corrected routes to that intent from then on.

Design (why not embeddings): the match must work in every install, the packaged app included, with no
training stack and without changing the bundle format; it must never change an answer the user did not
teach. So a taught request is kept as a normalised key in the local database, and a new request matches it
when
  1. its key is the same: case, accents, punctuation, spacing, articles and polite fillers do not count
     ("Qué tal el cine??", "que tal el cine por favor"), or
  2. its words are the same in another order ("news about cinema" ~ "cinema news about"), or
  3. its character trigrams overlap the key's by at least SIMILARITY (Jaccard), which absorbs typos and
     small changes ("what's on at the cinema" ~ "whats on at the cinemas").
SIMILARITY is calibrated on validation requests (scripts/evaluate_teaching.py): no validation request may
match a taught request of another text. Paraphrases with other words ("films showing
tonight") are not matched: that needs a sentence embedding from the bundle (see README, Known weaknesses).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import ConfigError
from core.storage import Storage, TaughtEntry
from core.text import fold

# Trigram Jaccard at or above which a request counts as a taught one: scripts/evaluate_teaching.py finds no val
# request (4,082 of intents, CLINC150, SNIPS) matching a taught one from 0.52 up, and adds a 0.08 margin.
SIMILARITY = 0.60
MIN_KEY_CHARS = 3  # a key shorter than this ("ok", "?") is never taught
MAX_TAUGHT = 2000  # entries kept and read; the oldest beyond this are dropped, so matching stays well under 1 ms
MAX_FORGET_ROUNDS = 50  # forget() drops at most this many entries that match one request
MAX_TEXT_CHARS = 300

_FILLER_PHRASES = ("por favor", "can you", "could you", "would you", "me puedes", "puedes", "podrias",
                   "i want to", "i would like to", "i'd like to", "quiero", "quisiera")
_FILLER_WORDS = frozenset((  # noqa: SIM905 (one line of words reads better than 32 quoted strings)
    "please pls plz porfa porfis hey oye hola hi hello thanks gracias the a an el la los las lo un una unos unas "
    "just kindly ok okay vale assistant asistente me").split())


def teach_key(text: str) -> str:
    """The request without case, accents, punctuation, articles and polite fillers, words in order."""
    folded = " " + " ".join(re.findall(r"\w+", fold(text).replace("'", ""))) + " "
    for phrase in _FILLER_PHRASES:
        folded = folded.replace(f" {phrase} ", " ")
    return " ".join(w for w in folded.split() if w not in _FILLER_WORDS)


def _trigrams(key: str) -> frozenset[str]:
    padded = f"  {key} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def _jaccard(ta: frozenset[str], tb: frozenset[str]) -> float:
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def similarity(a: str, b: str) -> float:
    """Trigram Jaccard of two keys (1.0 for the same words in any order)."""
    if sorted(a.split()) == sorted(b.split()):
        return 1.0
    return _jaccard(_trigrams(a), _trigrams(b))


@dataclass(frozen=True)
class Match:
    entry: TaughtEntry
    similarity: float

    @property
    def date(self) -> str:
        return self.entry.created_at[:10]


class TeachingMemory:
    """The taught requests in the local database (read on every request, so the CLI and the app agree)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._cache: tuple[tuple[int, int], list[tuple[TaughtEntry, frozenset[str]]]] | None = None

    @staticmethod
    def check_intent(intent: str, known: Sequence[str]) -> None:
        if intent not in known:
            raise ConfigError(f"Unknown intent {intent!r}: expected one of {', '.join(known)}.")

    @staticmethod
    def teachable(text: str) -> bool:
        return len(teach_key(text)) >= MIN_KEY_CHARS and len(text) <= MAX_TEXT_CHARS

    def teach(self, text: str, intent: str, known: Sequence[str]) -> bool:
        """Remember `text` -> `intent` (replacing what the same key was taught); False when not teachable.
        `known`: the intents of the bundle in use; any other raises ConfigError."""
        self.check_intent(intent, known)
        if not self.teachable(text):
            return False
        self.storage.teach(teach_key(text), text.strip(), intent)
        self.storage.trim_taught(MAX_TAUGHT)  # one statement, however many rows another process wrote
        return True

    def forget(self, text: str) -> bool:
        """Forget what `text` was taught and every taught request that still matches it (a variant: other order,
        a typo), so that afterwards `text` routes by the model again; False when nothing was taught."""
        forgotten = self.storage.forget(teach_key(text))
        for _ in range(MAX_FORGET_ROUNDS):
            match = self.match(text)
            if match is None:
                break
            forgotten = self.storage.forget(match.entry.key) or forgotten
        return forgotten

    def entries(self) -> list[TaughtEntry]:
        return self.storage.taught()

    def _indexed(self) -> list[tuple[TaughtEntry, frozenset[str]]]:
        # Another process (the CLI) may teach while the app runs: SQLite's data_version changes when another
        # connection commits, and Storage.writes on every commit through this process's connection (whichever
        # TeachingMemory or thread made it), so the table is re-read (and the trigram sets rebuilt) only after
        # a change.
        stamp = (self.storage.writes, self.storage.data_version())
        if self._cache is None or self._cache[0] != stamp:
            # At most MAX_TAUGHT newest: another process may have written far more than this object would keep.
            self._cache = (stamp, [(e, _trigrams(e.key)) for e in self.storage.taught(MAX_TAUGHT)])
        return self._cache[1]

    def match(self, text: str) -> Match | None:
        key = teach_key(text)
        if len(key) < MIN_KEY_CHARS:
            return None
        words, grams = sorted(key.split()), _trigrams(key)
        best: Match | None = None
        for entry, entry_grams in self._indexed():  # similarity(), with the taught side's trigrams computed once
            if sorted(entry.key.split()) == words:
                return Match(entry, 1.0)
            score = _jaccard(grams, entry_grams)
            if score >= SIMILARITY and (best is None or score > best.similarity):
                best = Match(entry, score)
        return best
