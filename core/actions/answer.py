"""The generic action for intents that need no code: an answer template and/or a link from intents.yaml.

    - name: get_shipping
      answer:
        es: "Enviamos a domicilio: {shipping}."
        en: "We deliver: {shipping}."
      link: https://aurora.example/envios

Placeholders are fields of resources/sample/business.toml (a field with es/en values gives the user's
language). The registry adds this action for every such intent that no plugin claims.
"""

from __future__ import annotations

import logging
import string
from pathlib import Path
from typing import Any

from core.actions.base import ActionRequest, ActionResult, ActionServices, Link
from core.intents import Intent

log = logging.getLogger(__name__)


def business_fields(path: Path, language: str) -> dict[str, str]:
    """The business file's plain fields (text, numbers, es/en text) by name, in `language`."""
    from core.actions.business import load_profile

    fields: dict[str, str] = {}
    for key, value in load_profile(path).items():
        if isinstance(value, dict) and set(value) <= {"es", "en"}:
            value = value.get(language, next(iter(value.values()), ""))
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        if isinstance(value, str | int | float):
            fields[key] = str(value)
    return fields


def render_answer(template: str, fields: dict[str, Any]) -> str:
    """Each {field} replaced by its value as text ("—" when business.toml lacks it). Format specs, widths and
    conversions are never applied (the loader refuses them; a template that slipped past still renders at its
    own size): "{shipping:x>20000000}" would otherwise build a 20 MB string and freeze the window."""
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(literal)
        if name is None:
            continue
        if name not in fields:
            log.warning("answer template field {%s} is not in business.toml", name[:40])
        parts.append(str(fields.get(name, "—")))
    return "".join(parts)


class AnswerAction:
    def __init__(self, intent: Intent, services: ActionServices) -> None:
        self.intent = intent.name
        self.definition = intent
        self.services = services
        self.business = services.resources / "sample" / "business.toml"

    def run(self, request: ActionRequest) -> ActionResult:
        lang = request.language
        title = self.definition.display_name[lang]
        body = ""
        if self.definition.answer:
            body = render_answer(self.definition.answer[lang], business_fields(self.business, lang))
        links = (Link(title, self.definition.link),) if self.definition.link else ()
        return ActionResult(title=title, body=body, kind="answer", links=links,
                            fields={"answer": body, "link": self.definition.link})
