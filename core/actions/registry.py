"""Discovers action plugins and runs them so that no plugin failure reaches the caller."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path

from core.actions.base import Action, ActionRequest, ActionResult, ActionServices
from core.errors import ActionError
from core.i18n import LocaleMessages, tr

MESSAGES = LocaleMessages("registry")  # resources/locale/<lang>/messages.yaml

ENTRY_POINT_GROUP = "offline_assistant.actions"
log = logging.getLogger(__name__)


def answer_actions(services: ActionServices, claimed: set[str]) -> dict[str, Action]:
    """The generic answer/link action for each intent of the dataset that has one and no plugin."""
    from core.actions.answer import AnswerAction

    intents = services.dataset.intents if services.dataset else ()
    return {i.name: AnswerAction(i, services) for i in intents if i.answered_without_code and i.name not in claimed}


def _is_working_folder(entry: str) -> bool:
    """sys.path entries that stand for the folder the app was started in ('' and '.' under `python -m`)."""
    if entry in ("", "."):
        return True
    try:
        return Path(entry).resolve() == Path(os.getcwd()).resolve()
    except OSError:  # the working folder was deleted: nothing can be loaded from it either
        return False


def _from_working_folder(dist: metadata.Distribution | None) -> bool:
    return dist is not None and _is_working_folder(str(dist.locate_file("")))


def installed_entry_points(group: str) -> Iterator[metadata.EntryPoint]:
    """The group's entry points of installed distributions only: a `.dist-info` that sits in the working folder
    (on sys.path as '' under `python -m`) is someone else's file, not an installed plugin, and is skipped."""
    names: set[str] = set()
    skipped: dict[str, str] = {}
    for entry in metadata.entry_points(group=group):
        if _from_working_folder(entry.dist):
            skipped[entry.name] = entry.value
            continue
        names.add(entry.name)
        yield entry
    # importlib keeps the first distribution of a name on sys.path; when that one was the working folder's, the
    # installed copy further along sys.path is the one to use.
    installed = [entry for entry in sys.path if not _is_working_folder(entry)]
    for dist in metadata.distributions(path=installed):
        for entry in dist.entry_points.select(group=group):
            if entry.name not in names:
                names.add(entry.name)
                yield entry
    # Said only for what no installed distribution provides: a source checkout started from its own folder
    # (an editable install's metadata sits there) loads its installed copy and has nothing to warn about.
    for name, value in skipped.items():
        if name not in names:
            log.warning("ignored action plugin %s from the working folder (not an installed distribution)", value)


def builtin_action_modules(pyproject: Path) -> list[str]:
    """The modules of the built-in actions, read from the one list of them: the entry points in pyproject.toml
    (the packaging spec bundles these modules, the isolation test imports them)."""
    import tomllib

    with pyproject.open("rb") as handle:
        table = tomllib.load(handle)["project"]["entry-points"][ENTRY_POINT_GROUP]
    return sorted({str(value).split(":")[0] for value in table.values()})


class ActionRegistry:
    def __init__(self, actions: Mapping[str, Action]) -> None:
        self._actions = dict(actions)

    @classmethod
    def discover(cls, services: ActionServices, group: str = ENTRY_POINT_GROUP) -> ActionRegistry:
        """Instantiate every plugin of the entry-point group (installed distributions only); a broken plugin is
        logged and skipped."""
        actions: dict[str, Action] = {}
        for entry in installed_entry_points(group):
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
