"""get_profile: the user's own stored data, kept in the local SQLite database."""

from __future__ import annotations

from collections.abc import Sequence

from core.actions.base import ActionRequest, ActionResult, ActionServices
from core.i18n import LocaleMessages, tr
from core.slots import Slot, locale_root, resolve, values
from core.storage import PROFILE_FIELDS

MESSAGES = LocaleMessages("profile")  # resources/locale/<lang>/messages.yaml

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
        asked = asked_field(resolve(request.text, request.prediction.slots, lang, locale_root(self.services.resources)))
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
