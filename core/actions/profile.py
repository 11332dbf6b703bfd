"""get_profile: the user's own stored data, kept in the local SQLite database."""

from __future__ import annotations

from core.actions.base import ActionRequest, ActionResult, ActionServices
from core.storage import PROFILE_FIELDS

LABELS = {
    "es": {"name": "Nombre", "email": "Correo", "phone": "Teléfono", "address": "Dirección", "language": "Idioma",
           "preferences": "Preferencias"},
    "en": {"name": "Name", "email": "Email", "phone": "Phone", "address": "Address", "language": "Language",
           "preferences": "Preferences"},
}


class ProfileAction:
    intent = "get_profile"

    def __init__(self, services: ActionServices) -> None:
        self.services = services

    def run(self, request: ActionRequest) -> ActionResult:
        es = request.language == "es"
        stored = self.services.storage.profile() if self.services.storage else {}
        labels = LABELS[request.language]
        lines = [f"{labels[f]}: {stored[f]}" for f in PROFILE_FIELDS if f in stored]
        if not lines:
            lines = ["Aún no hay datos guardados. Puedes rellenarlos en el formulario del perfil." if es else
                     "Nothing is stored yet. You can fill in the profile form."]
        return ActionResult(
            title="Tu perfil" if es else "Your profile", body="\n".join(lines), kind="profile",
            fields={"profile": {f: stored.get(f, "") for f in PROFILE_FIELDS}, "labels": labels, "editable": True},
        )
