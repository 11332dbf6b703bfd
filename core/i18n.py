"""Texts of core (actions, registry): per-module message tables in Spanish and English, one lookup function.

The window's own texts live in Qt's catalogue (desktop/i18n); both follow one language decision,
`core.language.resolve_language(settings.language)`, made by the Assistant and by the window.

    MESSAGES = {"open_now": {"es": "Abierto ahora", "en": "Open now"}}
    tr(MESSAGES, "open_now", "es")  ->  "Abierto ahora"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGUAGES = ("es", "en")
Catalogue = Mapping[str, Mapping[str, str]]  # message key -> language -> text ({name} placeholders allowed)


def tr(catalogue: Catalogue, key: str, language: str, **values: Any) -> str:
    """The message in `language` (English when the table lacks it), with `values` filled in."""
    texts = catalogue[key]
    text = texts.get(language) or texts["en"]
    return text.format(**values) if values else text


def missing_translations(catalogue: Catalogue) -> list[str]:
    """Keys lacking one of the languages (a test runs this over every table)."""
    return [f"{key}:{lang}" for key, texts in catalogue.items() for lang in LANGUAGES if not texts.get(lang)]
