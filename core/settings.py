"""User settings: a small typed dataclass validated on construction, one live store, atomic JSON on disk.

Everything that needs a setting holds the `SettingsStore` and reads `store.current` when it acts, so a change
applies at once everywhere (actions included). Runtime overrides (`--model`, `--device`) live beside the saved
settings and are never written to disk.
"""

from __future__ import annotations

import json
import logging
import math
import os
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core import i18n
from core.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda")
LANGUAGES = ("system", *i18n.LANGUAGES)  # "system": the system locale; the others: the folders of resources/locale
APPEARANCES = ("system", "light", "dark")
MAX_SETTINGS_BYTES = 1 << 20  # a settings file is a few hundred bytes; refuse to parse anything huge
MAX_FEEDS = 20  # each feed is fetched on every news request (5 s deadline each): a handful is plenty
MAX_FEED_URL_CHARS = 2000
# Feeds offered in Settings (the user adds them; nothing is fetched until network_feeds is on). Public RSS
# front pages of well-known outlets, one list per answer language.
DEFAULT_FEEDS: dict[str, tuple[str, ...]] = {
    "es": ("https://feeds.elpais.com/mrss-s/pages/ep/site/elpais.com/portada",
           "https://www.europapress.es/rss/rss.aspx"),
    "en": ("https://feeds.bbci.co.uk/news/rss.xml",
           "https://rss.nytimes.com/services/xml/rss/nyt/HomePage.xml"),
}
log = logging.getLogger(__name__)


def feed_problem(url: str) -> str | None:
    """Why `url` cannot be a news feed, as a code the UI words in its language ("length", "spaces",
    "scheme", "host"), or None when it can: http(s) only, with a host, no spaces or control characters."""
    if not url or len(url) > MAX_FEED_URL_CHARS:
        return "length"
    if any(c.isspace() or not c.isprintable() for c in url):
        return "spaces"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        return "host"
    if parts.scheme.lower() not in ("http", "https"):
        return "scheme"
    return None if host else "host"


@dataclass(frozen=True)
class Settings:
    threshold: float | None = None  # clarification threshold; None = the model bundle's default (its manifest's)
    device: str = "auto"  # auto | cpu | cuda
    language: str = "system"  # system (the system locale) | es | en: the window and the answers
    history_enabled: bool = True  # record requests (history, feedback); off = no request text stored anywhere
    network_feeds: bool = False  # news may fetch the feeds below over the network
    feeds: tuple[str, ...] = ()  # RSS/Atom URLs used only when network_feeds is on
    model_dir: str | None = None  # another model bundle; None = the bundled one (saved only once it loaded)
    api_enabled: bool = False  # desktop starts the local HTTP API (python -m core serve)
    api_port: int = 8765  # port of that API on 127.0.0.1
    load_timeout_s: float = 60.0  # the engine process must load a model within this, else it is stopped
    request_timeout_s: float = 10.0  # and answer one request within this, else it is restarted
    appearance: str = "system"  # system (follow the desktop's light/dark choice) | light | dark

    def __post_init__(self) -> None:
        _check_types(self)
        if self.threshold is not None and not 0.5 <= self.threshold <= 0.95:
            raise ConfigError(f"threshold must be between 0.50 and 0.95, found {self.threshold}.")
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {DEVICES}, found {self.device!r}.")
        if self.language not in LANGUAGES:
            raise ConfigError(f"language must be one of {LANGUAGES}, found {self.language!r}.")
        if self.appearance not in APPEARANCES:
            raise ConfigError(f"appearance must be one of {APPEARANCES}, found {self.appearance!r}.")
        if not 1024 <= self.api_port <= 65535:
            raise ConfigError(f"api_port must be between 1024 and 65535, found {self.api_port}.")
        bad = [f for f in self.feeds if feed_problem(f)]
        if len(self.feeds) > MAX_FEEDS or bad or len(set(self.feeds)) != len(self.feeds):
            raise ConfigError(f"feeds must be at most {MAX_FEEDS} different http(s) URLs with a host, found "
                              f"{len(self.feeds)} ({bad[:3] or list(self.feeds)[:3]!r:.200}). Remove the extra "
                              "or malformed ones in Settings or settings.json.")
        if not 1.0 <= self.load_timeout_s <= 600.0 or not 0.5 <= self.request_timeout_s <= 120.0:
            raise ConfigError(
                "load_timeout_s must be in [1, 600] and request_timeout_s in [0.5, 120] seconds, found "
                f"{self.load_timeout_s} and {self.request_timeout_s}."
            )

    def updated(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"feeds": list(self.feeds)}

    @staticmethod
    def from_json(raw: dict[str, Any], warn: Callable[[str], None] = log.warning) -> Settings:
        """Build settings field by field: a value of the wrong kind or out of range falls back to its default
        with a warning (the app must start whatever the file holds). Keys from newer versions are ignored."""
        settings = Settings()
        for f in fields(Settings):
            if f.name not in raw:
                continue
            value = raw[f.name]
            if f.name == "feeds" and isinstance(value, list):
                value = tuple(value)
            try:
                settings = replace(settings, **{f.name: value})
            except ConfigError as exc:
                warn(f"settings: {f.name} ignored, using the default ({exc})")
        return settings


_KINDS: dict[str, tuple[type, ...]] = {
    "threshold": (float, int, type(None)), "device": (str,), "language": (str,), "history_enabled": (bool,),
    "network_feeds": (bool,), "feeds": (tuple,), "model_dir": (str, type(None)), "api_enabled": (bool,),
    "api_port": (int,), "load_timeout_s": (float, int), "request_timeout_s": (float, int),
    "appearance": (str,),
}


def _check_types(settings: Settings) -> None:
    """Reject wrong kinds early ("false" is not False, 5 is not a list of feeds, True is not a port)."""
    for name, kinds in _KINDS.items():
        value = getattr(settings, name)
        numeric = int in kinds or float in kinds
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds and numeric):
            raise ConfigError(f"{name} must be {' or '.join(k.__name__ for k in kinds)}, found {value!r:.60}.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{name} must be a finite number, found {value}.")
    if not all(isinstance(feed, str) for feed in settings.feeds):
        raise ConfigError(f"feeds must be a list of URLs, found {list(settings.feeds)[:5]!r:.80}.")


def load_settings(path: Path, warn: Callable[[str], None] = log.warning) -> Settings:
    """Read settings. A missing file gives defaults; an unreadable or malformed one gives defaults and a warning
    naming the file (the app must always start); bad fields fall back one by one."""
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(_read_regular(path).decode("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("it does not hold a JSON object")
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        warn(f"Settings file {path} is unreadable ({exc}); using defaults. Fix or delete the file.")
        return Settings()
    return Settings.from_json(raw, warn)


def _read_regular(path: Path) -> bytes:
    """The file's bytes; OSError for a FIFO, a device or a folder (checked on the open file, which O_NONBLOCK
    keeps from waiting for a FIFO's writer) and ValueError for a file over MAX_SETTINGS_BYTES."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"it is not a regular file (mode {stat.filemode(info.st_mode)})")
        if info.st_size > MAX_SETTINGS_BYTES:
            raise ValueError(f"larger than {MAX_SETTINGS_BYTES} bytes")
        return handle.read(MAX_SETTINGS_BYTES + 1)


def save_settings(path: Path, settings: Settings) -> None:
    """Write to a private temporary file and rename it over the old one, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(settings.to_json(), handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Overrides:
    """Start-up choices for this run only (command line): never saved."""

    model_dir: str | None = None  # --model
    device: str | None = None  # --device
    threshold: float | None = None  # --threshold (CLI, API): any value in [0, 1], unlike the window's slider

    def __post_init__(self) -> None:
        if self.device is not None and self.device not in DEVICES:
            raise ConfigError(f"--device must be one of {DEVICES}, found {self.device!r}.")
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(f"--threshold must be between 0 and 1, found {self.threshold}.")


class SettingsStore:
    """The one settings object of a process, read live (`current`), changed through `update`/`replace`."""

    def __init__(self, path: Path | None, settings: Settings | None = None, overrides: Overrides | None = None,
                 warn: Callable[[str], None] = log.warning) -> None:
        self.path = path  # None: nothing is saved (tests, API, CLI)
        self.warnings: list[str] = []

        def collect(message: str) -> None:
            self.warnings.append(message)
            warn(message)

        if settings is None:
            settings = load_settings(path, collect) if path is not None else Settings()
        self._settings = settings
        self.overrides = overrides or Overrides()
        self._lock = threading.Lock()

    @property
    def current(self) -> Settings:
        """The saved settings as they are now (an immutable value: safe to read from any thread)."""
        return self._settings

    @property
    def model_dir(self) -> str | None:
        return self.overrides.model_dir or self._settings.model_dir

    @property
    def device(self) -> str:
        return self.overrides.device or self._settings.device

    @property
    def threshold(self) -> float | None:
        """The clarification threshold to use now: --threshold, else the setting (None: the bundle's)."""
        return self.overrides.threshold if self.overrides.threshold is not None else self._settings.threshold

    def replace(self, new: Settings, save: bool = True) -> None:
        """Apply `new` at once; save it when the store has a file. Raises OSError when saving fails (the new
        settings still apply for this run)."""
        with self._lock:  # readers take `current` on every request: nothing needs telling
            self._settings = new
        if save and self.path is not None:
            save_settings(self.path, new)

    def update(self, **changes: Any) -> None:
        self.replace(self._settings.updated(**changes))

    def drop_override(self, name: str) -> None:
        """The user chose this setting explicitly: the command-line value stops applying."""
        self.overrides = replace(self.overrides, **{name: None})
