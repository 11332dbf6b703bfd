"""Texts of core (actions, registry): per-module sections of resources/locale/<lang>/messages.yaml, one lookup
function, and the one language list (the folders of resources/locale).

The window's own texts live in Qt's catalogue (desktop/i18n); both follow one language decision,
`core.language.resolve_language(settings.language)`, made by the Assistant and by the window.

    MESSAGES = LocaleMessages("business")     # {"open_now": {"es": "Abierto ahora", "en": "Open now"}, ...}
    tr(MESSAGES, "open_now", "es")  ->  "Abierto ahora"
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from core.errors import DatasetError
from core.slots import languages, locale_root, read_locale_file

# The languages of the product: one per folder of resources/locale (core.slots.languages). Adding a language is
# adding a folder (slots.yaml, smalltalk.yaml, messages.yaml) and its examples in intents.yaml.
LANGUAGES: tuple[str, ...] = languages()
Catalogue = Mapping[str, Mapping[str, str]]  # message key -> language -> text ({name} placeholders allowed)


def tr(catalogue: Catalogue, key: str, language: str, **values: Any) -> str:
    """The message in `language` (English when the table lacks it), with `values` filled in."""
    texts = catalogue[key]
    text = texts.get(language) or texts["en"]
    return text.format(**values) if values else text


def missing_translations(catalogue: Catalogue) -> list[str]:
    """Keys lacking one of the languages (a test runs this over every table)."""
    return [f"{key}:{lang}" for key, texts in catalogue.items() for lang in LANGUAGES if not texts.get(lang)]


@functools.cache  # bundled, read-only data: read once per folder
def _section(section: str, root: Path | None = None) -> dict[str, dict[str, str]]:
    folder = root or locale_root()
    table: dict[str, dict[str, str]] = {}
    for lang in languages(folder):
        path = folder / lang / "messages.yaml"
        data = read_locale_file(path) if path.is_file() else {}
        texts = data.get(section, {})
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            raise DatasetError(f"{path}: section {section!r} must map message keys to texts, found {texts!r:.80}.")
        for key, text in texts.items():
            table.setdefault(str(key), {})[lang] = text
    if not table:
        raise DatasetError(f"No texts for {section!r} in {folder}/<lang>/messages.yaml; restore the file from the "
                           "repository (resources/locale).")
    return table


class LocaleMessages(Mapping[str, Mapping[str, str]]):
    """One module's texts, {key: {language: text}}, read from resources/locale/<lang>/messages.yaml on first use."""

    def __init__(self, section: str, root: Path | None = None) -> None:
        self.section = section
        self.root = root

    def _table(self) -> dict[str, dict[str, str]]:
        return _section(self.section, self.root)

    def __getitem__(self, key: str) -> Mapping[str, str]:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())
