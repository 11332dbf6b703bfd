"""Where things live: bundled resources (source tree or PyInstaller bundle) and per-user data."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "offline-assistant"
HOME_ENV = "OFFLINE_ASSISTANT_HOME"  # one folder for all user data (tests, portable installs)


def resource_root() -> Path:
    """resources/ in a source checkout, or inside the PyInstaller bundle when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader
    base = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return base / "resources"


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path  # settings.json
    data_dir: Path  # assistant.sqlite3 (history, feedback, profile)
    resources: Path  # bundled model, intents, sample data

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def database(self) -> Path:
        return self.data_dir / "assistant.sqlite3"

    @property
    def default_model(self) -> Path:
        return self.resources / "model"

    def ensure(self) -> AppPaths:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self


def default_paths() -> AppPaths:
    """platformdirs' per-user folders, or everything under $OFFLINE_ASSISTANT_HOME when it is set."""
    home = os.environ.get(HOME_ENV)
    if home:
        return AppPaths(Path(home) / "config", Path(home) / "data", resource_root())
    return AppPaths(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        resource_root(),
    )
