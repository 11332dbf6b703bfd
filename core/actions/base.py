"""The types an action plugin sees and returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from core.intents import IntentDataset
from core.prediction import Prediction
from core.settings import Settings, SettingsStore
from core.storage import Storage


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class ActionResult:
    title: str  # one line shown as the card's heading
    body: str = ""  # plain-text answer (the CLI prints it; the UI shows it under the title)
    kind: str = "text"  # renderer hint: news | business | profile | help | error | text
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


@dataclass(frozen=True)
class ActionServices:
    """What the host gives every action: no globals, so tests pass fakes."""

    store: SettingsStore  # read live: a setting changed in the window applies to the next request
    resources: Path  # bundled data (sample feed, business profile)
    storage: Storage | None  # None when the host keeps no local data
    dataset: IntentDataset | None  # the intents, for help
    now: Callable[[], datetime] = datetime.now  # the system's local time (naive), replaceable in tests
    cache_dir: Path | None = None  # where actions may keep copies (the last good network feed); None: none

    @property
    def settings(self) -> Settings:
        return self.store.current


class Action(Protocol):
    intent: str

    def run(self, request: ActionRequest) -> ActionResult: ...
