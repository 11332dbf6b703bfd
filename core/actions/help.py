"""get_help: what the assistant can do, with example phrases in the user's language."""

from __future__ import annotations

from core.actions.base import ActionRequest, ActionResult, ActionServices
from core.conversation import capabilities
from core.i18n import LocaleMessages, tr

MESSAGES = LocaleMessages("help")  # resources/locale/<lang>/messages.yaml
EXAMPLES_PER_INTENT = 3


class HelpAction:
    intent = "get_help"

    def __init__(self, services: ActionServices) -> None:
        self.services = services

    def run(self, request: ActionRequest) -> ActionResult:
        lang = request.language
        entries = capabilities(self.services.dataset, lang, EXAMPLES_PER_INTENT)
        body = "\n".join(f"• {e['name']}: {e['description']}" for e in entries)
        return ActionResult(title=tr(MESSAGES, "title", lang), body=body, kind="help", fields={"intents": entries})
