"""What the assistant says itself, without an action: greetings and thanks, the decline of an out-of-scope
request (what it cannot do and what it can), and the confidence band a person reads instead of a number.

Greetings are recognised by rules, not by the model: a request made only of greeting, thanks or goodbye
phrases (and a few fillers: "hola, buenos días", "thanks a lot!", "hey assistant") is answered briefly. The
phrases are in resources/locale/<lang>/smalltalk.yaml, every language's at once.
"hola, ¿qué noticias hay?" holds a real request, so it goes to the model as usual.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from core.actions.base import ActionResult
from core.i18n import LocaleMessages, tr
from core.intents import IntentDataset
from core.slots import languages, load_locale, phrase_words

SURE = 0.90  # at or above this (and the threshold) an answer reads "sure"
MIN_PLAUSIBLE = 0.15  # an intent below this is never offered as a choice (no "Help (2%)")
MAX_SMALL_TALK_WORDS = 10  # "thank you very much, have a good one" is still small talk; a paragraph is not

MESSAGES = LocaleMessages("conversation")  # resources/locale/<lang>/messages.yaml


def small_talk_phrases(root: Path | None = None) -> dict[tuple[str, ...], str]:
    """Every language's small-talk phrases (resources/locale/<lang>/smalltalk.yaml), as folded words -> kind:
    a greeting is recognised whatever the answer language."""
    phrases: dict[tuple[str, ...], str] = {}
    for lang in languages(root):
        phrases.update(load_locale(lang, root).small_talk)
    return phrases


def small_talk_language(text: str, fallback: str, root: Path | None = None) -> str:
    """The language to answer small talk in: the one whose phrases alone make up `text` ("gracias" -> es,
    "thanks" -> en) when exactly one does, else `fallback` (the window's language: "ok", "hola").
    Recognising it needs every language's phrases (small_talk); answering, the request's own language."""
    words = phrase_words(text)
    fits = [lang for lang in languages(root) if _kind_of(words, load_locale(lang, root).small_talk)]
    return fits[0] if len(fits) == 1 else fallback


def small_talk(text: str, root: Path | None = None) -> str | None:
    """"greeting", "thanks" or "bye" when the whole text is such phrases (plus fillers), else None."""
    return _kind_of(phrase_words(text), small_talk_phrases(root))


def _kind_of(words: tuple[str, ...], phrases: Mapping[tuple[str, ...], str]) -> str | None:
    if not words or len(words) > MAX_SMALL_TALK_WORDS:
        return None
    longest = max((len(p) for p in phrases), default=1)
    kinds: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            kind = phrases.get(tuple(words[i:i + size]))
            if kind:
                kinds.append(kind)
                i += size
                break
        else:
            return None  # a word that is not small talk: a real request
    for kind in ("thanks", "bye", "greeting"):  # "hola, gracias" is thanks; "ok bye" is a goodbye
        if kind in kinds:
            return kind
    return None  # fillers only ("ok", "vale"): let the model have it


def small_talk_reply(kind: str, language: str) -> ActionResult:
    return ActionResult(title=tr(MESSAGES, kind, language), kind="chat")


def capabilities(dataset: IntentDataset | None, language: str, per_intent: int = 2) -> list[dict[str, Any]]:
    """Every intent with its name, description and example phrases in `language` (help, declines, empty state)."""
    return [{"intent": intent.name, "name": intent.display_name[language],
             "description": intent.description[language],
             "examples": list(intent.shown_examples(language))[:per_intent]}
            for intent in (dataset.intents if dataset else ())]


def decline(dataset: IntentDataset | None, language: str, unsure: bool) -> ActionResult:
    """The answer to an out-of-scope request (or one with no plausible intent): what the assistant can do."""
    entries = capabilities(dataset, language)
    prefix = "unsure" if unsure else "decline"
    body = tr(MESSAGES, f"{prefix}_body", language) + "\n" + "\n".join(
        f"• {e['name']}: {e['description']}" for e in entries)
    return ActionResult(title=tr(MESSAGES, f"{prefix}_title", language), body=body, kind="help",
                        fields={"intents": entries, "intro": tr(MESSAGES, f"{prefix}_body", language)})


Band = Literal["sure", "probably", "unsure"]  # how sure an answer is, in words (the window's chip)


def band(confidence: float, threshold: float) -> Band:
    """How sure the assistant is, in words: "sure", "probably" (both acted on) or "unsure" (it asks)."""
    if confidence >= max(SURE, threshold):
        return "sure"
    return "probably" if confidence >= threshold else "unsure"
