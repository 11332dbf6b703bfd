"""get_profile: the user's own stored data, kept in the local SQLite database."""

from __future__ import annotations

from collections.abc import Sequence

from core.actions.base import ActionRequest, ActionResult, ActionServices
from core.i18n import tr
from core.slots import Slot, locale_root, tag, values
from core.storage import PROFILE_FIELDS

MESSAGES = {
    "name": {"es": "Nombre", "en": "Name"},
    "email": {"es": "Correo", "en": "Email"},
    "phone": {"es": "Teléfono", "en": "Phone"},
    "address": {"es": "Dirección", "en": "Address"},
    "language": {"es": "Idioma", "en": "Language"},
    "preferences": {"es": "Preferencias", "en": "Preferences"},
    "empty": {"es": "Aún no hay datos guardados. Puedes rellenarlos en el formulario del perfil.",
              "en": "Nothing is stored yet. You can fill in the profile form."},
    "title": {"es": "Tu perfil", "en": "Your profile"},
    "is": {"es": "Tu {label} es {value}", "en": "Your {label} is {value}"},
    "unknown": {"es": "Aún no tengo tu {label}. Puedes añadirlo en el formulario del perfil.",
                "en": "I don't have your {label} yet. You can add it in the profile form."},
}

def asked_field(slots: Sequence[Slot]) -> str:
    """The one profile field the slots ask for, or "" (none or several: the whole profile is shown). The words
    are the `field` slots of resources/locale ("what's my email?", "¿cuál es mi teléfono?", "¿cómo me llamo?")."""
    found = [f for f in values(slots, "field") if f in PROFILE_FIELDS]
    if "email" in found and "address" in found:  # "email address", "dirección de correo": the email
        found.remove("address")
    return found[0] if len(found) == 1 else ""


class ProfileAction:
    intent = "get_profile"

    def __init__(self, services: ActionServices) -> None:
        self.services = services

    def run(self, request: ActionRequest) -> ActionResult:
        lang = request.language
        stored = self.services.storage.profile() if self.services.storage else {}
        labels = {f: tr(MESSAGES, f, lang) for f in PROFILE_FIELDS}
        lines = [f"{labels[f]}: {stored[f]}" for f in PROFILE_FIELDS if f in stored] or [tr(MESSAGES, "empty", lang)]
        asked = asked_field(tag(request.text, lang, locale_root(self.services.resources)))
        title = tr(MESSAGES, "title", lang)
        if asked:  # the answer to the question first; the whole profile stays below it
            label = labels[asked].lower()
            title = (tr(MESSAGES, "is", lang, label=label, value=stored[asked]) if stored.get(asked)
                     else tr(MESSAGES, "unknown", lang, label=label))
        return ActionResult(
            title=title, body="\n".join(lines), kind="profile",
            fields={"profile": {f: stored.get(f, "") for f in PROFILE_FIELDS}, "labels": labels, "editable": True,
                    "asked": asked},
        )
