"""The types an action plugin sees and returns (plugin authors import them from core.actions.api)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from core.intents import IntentDataset
from core.prediction import Prediction
from core.settings import Settings, SettingsStore


@dataclass(frozen=True)
class Link:
    title: str
    url: str


class ResultKind(StrEnum):
    """How the window renders a result (desktop/render.py); a plugin that needs nothing special uses TEXT."""

    NEWS = "news"
    BUSINESS = "business"
    PROFILE = "profile"
    HELP = "help"
    ANSWER = "answer"
    ERROR = "error"
    TEXT = "text"


@dataclass(frozen=True)
class ActionResult:
    title: str  # one line shown as the card's heading
    body: str = ""  # plain-text answer (the CLI prints it; the UI shows it under the title)
    kind: str = ResultKind.TEXT  # renderer hint, one of ResultKind (a StrEnum: plain strings compare equal)
    links: tuple[Link, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)  # structured data for renderers
    error: bool = False  # True when the action failed; body says why

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "body": self.body, "kind": self.kind, "error": self.error,
                "links": [link.__dict__ for link in self.links], "fields": dict(self.fields)}


@dataclass(frozen=True)
class ActionRequest:
    text: str  # the user's request as the model saw it
    prediction: Prediction
    language: str  # "es" or "en": the language to answer in


class ProfileReader(Protocol):
    """Where the user's profile comes from (core.storage.Storage is one)."""

    def profile(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class ReadOnlyProfile:
    """The only part of the local database an action gets: the profile, read-only. The Storage it wraps can also
    clear history and forget what was taught; the plugin API offers no way to. This is an interface, not a
    sandbox: plugins run in the app's process with its rights (install only plugins you trust)."""

    _source: ProfileReader

    def profile(self) -> Mapping[str, str]:
        return MappingProxyType(dict(self._source.profile()))


@dataclass(frozen=True)
class ActionServices:
    """What the host gives every action: no globals, so tests pass fakes."""

    store: SettingsStore  # read live: a setting changed in the window applies to the next request
    resources: Path  # bundled data (sample feed, business profile)
    # the user's profile; None when the host keeps no local data. Whatever is passed (a Storage) is wrapped in
    # ReadOnlyProfile on construction. The name is historical: plugins read `services.profile`.
    storage: ProfileReader | None
    dataset: IntentDataset | None  # the intents, for help
    now: Callable[[], datetime] = datetime.now  # the system's local time (naive), replaceable in tests
    cache_dir: Path | None = None  # where actions may keep copies (the last good network feed); None: none

    def __post_init__(self) -> None:
        if self.storage is not None and not isinstance(self.storage, ReadOnlyProfile):
            object.__setattr__(self, "storage", ReadOnlyProfile(self.storage))

    @property
    def settings(self) -> Settings:
        return self.store.current

    @property
    def profile(self) -> Mapping[str, str]:
        """The user's saved profile (field -> value), read-only; empty when the host keeps no local data."""
        return self.storage.profile() if self.storage is not None else MappingProxyType({})

    @property
    def business_file(self) -> Path:
        return business_file(self.resources)


def business_file(resources: Path) -> Path:
    """The business profile (name, contact, hours, shipping) every business answer reads: the one place its path
    inside the resources is written."""
    return resources / "sample" / "business.toml"


class Action(Protocol):
    intent: str

    def run(self, request: ActionRequest) -> ActionResult: ...
