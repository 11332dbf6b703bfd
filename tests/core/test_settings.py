from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from core.settings import Settings, load_settings, save_settings


def test_round_trip_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert load_settings(path) == Settings()
    settings = Settings(threshold=0.8, language="es", feeds=("https://example.org/rss",))
    save_settings(path, settings)
    assert load_settings(path) == settings
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left behind


@pytest.mark.parametrize("kwargs", [{"threshold": 0.3}, {"device": "tpu"}, {"language": "fr"}, {"api_port": 80},
                                    {"feeds": ("ftp://x",)}])
def test_invalid_values_are_rejected(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError):
        Settings(**kwargs)


def test_unreadable_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{oops", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"settings\.json"):
        load_settings(path)
    path.write_text('{"threshold": "high"}', encoding="utf-8")
    with pytest.raises((ConfigError, TypeError)):
        load_settings(path)
