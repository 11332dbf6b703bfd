"""The business profile: resources/sample/business.toml, read with limits, every text cleaned.

Text values may be plain or per language (`{ es = "…", en = "…" }`), and lists (services, payment) too.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.text import strip_escapes

MAX_PROFILE_BYTES = 256 << 10  # a business file is a few kB


def _cleaned(value: Any) -> Any:
    """Every text of the profile without terminal escapes, control and bidi-override characters (U+202E would
    turn the title around, ESC reaches a terminal), as core.text promises for text from data files."""
    if isinstance(value, str):
        return strip_escapes(value)
    if isinstance(value, dict):
        return {strip_escapes(str(k)): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def load_profile(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_PROFILE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_PROFILE_BYTES} bytes; a business profile is a few kB")
    with path.open("rb") as handle:
        data: dict[str, Any] = _cleaned(tomllib.load(handle))
    missing = [key for key in ("name", "hours") if key not in data]
    if missing:
        raise ValueError(f"{path} lacks {missing}; see resources/sample/business.toml for the format")
    return data


def zone_of(data: dict[str, Any]) -> ZoneInfo | None:
    try:
        return ZoneInfo(str(data.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_now(data: dict[str, Any], now: datetime) -> datetime:
    """`now` in the business's time zone. A naive `now` is the system's local time (datetime.now())."""
    zone = zone_of(data)
    aware = now if now.tzinfo else now.astimezone()  # astimezone() on a naive value assumes system local time
    return aware.astimezone(zone) if zone else aware


def localised(value: Any, language: str) -> Any:
    """A per-language value in `language` (English, then the first one, when it lacks it); others as they are."""
    if isinstance(value, dict):
        return value.get(language, value.get("en", next(iter(value.values()), "")))
    return value


def items_of(data: dict[str, Any], key: str, language: str) -> list[str]:
    """A field as a list of texts in `language` ("services", "payment"); [] when the profile lacks it."""
    value = localised(data.get(key), language)
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def text_of(data: dict[str, Any], key: str, language: str) -> str:
    """A field as one text in `language` (a list joined with commas); "" when the profile lacks it."""
    return ", ".join(items_of(data, key, language))
