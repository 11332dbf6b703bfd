"""get_profile: the user's own stored data, kept in the local SQLite database."""

from __future__ import annotations

from core.actions.base import ActionRequest, ActionResult, ActionServices
from core.i18n import tr
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
}


class ProfileAction:
    intent = "get_profile"

    def __init__(self, services: ActionServices) -> None:
        self.services = services

    def run(self, request: ActionRequest) -> ActionResult:
        lang = request.language
        stored = self.services.storage.profile() if self.services.storage else {}
        labels = {f: tr(MESSAGES, f, lang) for f in PROFILE_FIELDS}
        lines = [f"{labels[f]}: {stored[f]}" for f in PROFILE_FIELDS if f in stored] or [tr(MESSAGES, "empty", lang)]
        return ActionResult(
            title=tr(MESSAGES, "title", lang), body="\n".join(lines), kind="profile",
            fields={"profile": {f: stored.get(f, "") for f in PROFILE_FIELDS}, "labels": labels, "editable": True},
        )
