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


def test_wrong_kinds_fall_back_per_field_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"feeds": 5, "history_enabled": "false", "threshold": 0.8, "api_port": true, '
                    '"language": "es", "device": ["cpu"], "unknown_future_key": 1}', encoding="utf-8")
    warnings: list[str] = []
    settings = load_settings(path, warnings.append)
    assert settings == Settings(threshold=0.8, language="es")  # the good fields kept, the rest defaults
    assert settings.history_enabled is True  # "false" is not False: the default, and a warning says so
    assert {w.split(":")[1].split()[0] for w in warnings} == {"feeds", "history_enabled", "api_port", "device"}
    path.write_text('{"feeds": [1]}', encoding="utf-8")
    assert load_settings(path, warnings.append).feeds == ()


def test_an_unreadable_file_gives_defaults_and_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    for content in ("{oops", "[1, 2]", "[" * 100_000):
        path.write_text(content, encoding="utf-8")
        warnings: list[str] = []
        assert load_settings(path, warnings.append) == Settings()
        assert "settings.json" in warnings[0]


def test_the_store_is_read_live_and_overrides_are_never_saved(tmp_path: Path) -> None:
    from core.settings import Overrides, SettingsStore

    path = tmp_path / "settings.json"
    store = SettingsStore(path, overrides=Overrides(model_dir="/cli/model", device="cpu", threshold=0.1))
    assert store.model_dir == "/cli/model" and store.device == "cpu" and store.threshold == 0.1
    store.update(language="en", model_dir="/saved")
    assert store.current.language == "en"
    assert load_settings(path) == Settings(language="en", model_dir="/saved")  # no --model, device or threshold
    store.drop_override("model_dir")
    assert store.model_dir == "/saved"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
