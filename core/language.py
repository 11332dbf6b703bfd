"""A tiny Spanish/English guess, for choosing the language of help examples and replies."""

from __future__ import annotations

import locale
import os

_SPANISH_MARKS = set("¿¡ñáéíóú")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent words of one language that are rare as words of the other ("a", "me", "no", "es", "en" are left out).
_SPANISH_WORDS = _words("""
qué que de del la el los las mi mis tu tus su sus por para con un una unos hay cuál cual dónde donde cómo como
cuándo cuando cuánto cuanto quiero quiere puedes puedo podés tenés tienes tienen hoy mañana ahora ahorita está
esta este esto estos estas son ser al lo le se te nos ya muy más mas pero porque también sí hola gracias dame dime
decime pasame pásame ponme muéstrame mostrame enséñame cierra abre abren abrís cierran borra cambia cambiá elimina
publica sube comparte crea lee hacer hora horario noticias ayuda ayúdame cuenta tienda teléfono telefono dirección
direccion datos perfil necesito sabes hace hago tengo día dia semana fin porfa favor mucho poco algo nada todo
entonces cosas che güey tío mano vos usted ustedes vosotros nuevo nueva últimas ultimas
""")
_ENGLISH_WORDS = _words("""
the an is are what what's whats my your you i i'm to of in on for do does how where when can could please and it
this that show tell give time open opening close hours news help with from at be was will would about any get
""")


def guess_language(text: str) -> str:
    """'es' when the text looks Spanish, else 'en': accents and ¿¡, then frequent words of each language."""
    lowered = text.lower()
    words = "".join(c if c.isalnum() or c in "'" else " " for c in lowered).split()
    spanish = sum(w in _SPANISH_WORDS for w in words) + 2 * len(_SPANISH_MARKS & set(lowered))
    english = sum(w in _ENGLISH_WORDS for w in words)
    return "es" if spanish > english else "en"


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
