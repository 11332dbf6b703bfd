"""Discovers action plugins and runs them so that no plugin failure reaches the caller."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib import metadata

from core.actions.base import Action, ActionRequest, ActionResult, ActionServices
from core.errors import ActionError
from core.i18n import tr

MESSAGES = {"failed": {"es": "La acción falló", "en": "The action failed"}}

ENTRY_POINT_GROUP = "offline_assistant.actions"
log = logging.getLogger(__name__)


def answer_actions(services: ActionServices, claimed: set[str]) -> dict[str, Action]:
    """The generic answer/link action for each intent of the dataset that has one and no plugin."""
    from core.actions.answer import AnswerAction

    intents = services.dataset.intents if services.dataset else ()
    return {i.name: AnswerAction(i, services) for i in intents if i.answered_without_code and i.name not in claimed}


class ActionRegistry:
    def __init__(self, actions: Mapping[str, Action]) -> None:
        self._actions = dict(actions)

    @classmethod
    def discover(cls, services: ActionServices, group: str = ENTRY_POINT_GROUP) -> ActionRegistry:
        """Instantiate every plugin of the entry-point group; a broken plugin is logged and skipped."""
        actions: dict[str, Action] = {}
        for entry in metadata.entry_points(group=group):
            try:
                action = entry.load()(services)
            except Exception:  # a third-party plugin must not stop the assistant from starting
                log.exception("action plugin %s failed to load", entry.value)
                continue
            actions[action.intent] = action
        return cls(actions | answer_actions(services, set(actions)))

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(sorted(self._actions))

    def get(self, intent: str) -> Action:
        try:
            return self._actions[intent]
        except KeyError:
            raise ActionError(f"No action is registered for intent {intent!r}; installed: {self.intents}.") from None

    def run(self, intent: str, request: ActionRequest) -> ActionResult:
        """Run the intent's action; any exception becomes an error result."""
        try:
            return self.get(intent).run(request)
        except Exception as exc:
            log.exception("action for %s failed", intent)
            return ActionResult(title=tr(MESSAGES, "failed", request.language), body=f"{intent}: {exc}",
                                kind="error", error=True)
