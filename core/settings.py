"""User settings: a small typed dataclass, validated on construction, saved atomically as JSON."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from core.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda")
LANGUAGES = ("system", "es", "en")


@dataclass(frozen=True)
class Settings:
    threshold: float | None = None  # clarification threshold; None = the model bundle's default (0.70)
    device: str = "auto"  # auto | cpu | cuda
    language: str = "system"  # system | es | en (UI and action replies)
    history_enabled: bool = True  # record requests in the local history
    network_feeds: bool = False  # news may fetch the feeds below over the network
    feeds: tuple[str, ...] = ()  # RSS/Atom URLs used only when network_feeds is on
    model_dir: str | None = None  # another model bundle; None = the bundled one
    api_enabled: bool = False  # desktop starts the local HTTP API (python -m core serve)
    api_port: int = 8765  # port of that API on 127.0.0.1

    def __post_init__(self) -> None:
        if self.threshold is not None and not 0.5 <= self.threshold <= 0.95:
            raise ConfigError(f"threshold must be between 0.50 and 0.95, found {self.threshold}.")
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {DEVICES}, found {self.device!r}.")
        if self.language not in LANGUAGES:
            raise ConfigError(f"language must be one of {LANGUAGES}, found {self.language!r}.")
        if not 1024 <= self.api_port <= 65535:
            raise ConfigError(f"api_port must be between 1024 and 65535, found {self.api_port}.")
        if any(not f.startswith(("http://", "https://")) for f in self.feeds):
            raise ConfigError(f"feeds must be http(s) URLs, found {list(self.feeds)}.")

    def updated(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @staticmethod
    def from_json(raw: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(Settings)}
        values = {k: v for k, v in raw.items() if k in known}  # keys from newer versions are ignored
        if "feeds" in values:
            values["feeds"] = tuple(values["feeds"])
        try:
            return Settings(**values)
        except TypeError as exc:
            raise ConfigError(f"settings file has a value of the wrong kind: {exc}") from exc


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives defaults, an unreadable one a ConfigError naming the file."""
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"Settings file {path} is unreadable ({exc}); delete it to start from defaults.") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"Settings file {path} must hold a JSON object; delete it to start from defaults.")
    return Settings.from_json(raw)


def save_settings(path: Path, settings: Settings) -> None:
    """Write to a temporary file and rename it over the old one, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(settings) | {"feeds": list(settings.feeds)}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
