"""A tiny Spanish/English guess, for choosing the language of help examples and replies."""

from __future__ import annotations

import locale
import os

_SPANISH_MARKS = set("¿¡ñáéíóú")
_SPANISH_WORDS = {
    "qué", "que", "de", "la", "el", "los", "las", "mi", "mis", "hay", "cuál", "dónde", "donde", "cómo", "como",
    "quiero", "dame", "por", "favor", "noticias", "horario", "ayuda", "puedes", "tenéis", "tienen", "es", "una",
    "un", "para", "con", "sobre", "muéstrame", "abre", "hoy", "está", "estáis",
}


def guess_language(text: str) -> str:
    """'es' when the text looks Spanish, else 'en'."""
    lowered = text.lower()
    if _SPANISH_MARKS & set(lowered):
        return "es"
    words = lowered.replace("?", " ").replace(",", " ").split()
    return "es" if sum(w in _SPANISH_WORDS for w in words) * 3 >= max(len(words), 1) else "en"


def system_language() -> str:
    """'es' for a Spanish system locale, else 'en'."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "es" if value.lower().startswith("es") else "en"
    code = locale.getlocale()[0] or ""
    return "es" if code.lower().startswith("es") else "en"


def resolve_language(setting: str) -> str:
    return system_language() if setting == "system" else setting
