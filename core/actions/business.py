"""get_business_information: the deployer's business profile (TOML) and whether it is open now."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.actions.base import ActionRequest, ActionResult, ActionServices, Link

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


@dataclass(frozen=True)
class Span:
    start: time
    end: time

    @staticmethod
    def parse(text: str) -> Span:
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as exc:
            raise ValueError(f"opening hours must look like '09:00-14:00', found {text!r}") from exc
        if end <= start:
            raise ValueError(f"opening hours {text!r} end before they start")
        return Span(start, end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def load_profile(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    missing = [key for key in ("name", "hours") if key not in data]
    if missing:
        raise ValueError(f"{path} lacks {missing}; see resources/sample/business.toml for the format")
    return data


def weekly_hours(data: dict[str, Any]) -> dict[str, list[Span]]:
    return {day: [Span.parse(s) for s in data["hours"].get(day, [])] for day in DAYS}


def local_now(data: dict[str, Any], now: datetime) -> datetime:
    try:
        zone = ZoneInfo(data.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return now
    return now.astimezone(zone) if now.tzinfo else now


def is_open(hours: dict[str, list[Span]], moment: datetime) -> bool:
    spans = hours[DAYS[moment.weekday()]]
    return any(span.start <= moment.time() < span.end for span in spans)


def _localised(value: Any, language: str) -> Any:
    return value.get(language, next(iter(value.values()))) if isinstance(value, dict) else value


class BusinessAction:
    intent = "get_business_information"

    def __init__(self, services: ActionServices) -> None:
        self.services = services
        self.path = services.resources / "sample" / "business.toml"

    def run(self, request: ActionRequest) -> ActionResult:
        lang = request.language
        data = load_profile(self.path)
        hours = weekly_hours(data)
        moment = local_now(data, self.services.now())
        open_now = is_open(hours, moment)
        today = hours[DAYS[moment.weekday()]]
        names = DAY_NAMES[lang]
        week = {names[i]: ", ".join(map(str, hours[d])) or ("cerrado" if lang == "es" else "closed")
                for i, d in enumerate(DAYS)}
        status = ("Abierto ahora" if open_now else "Cerrado ahora") if lang == "es" else (
            "Open now" if open_now else "Closed now")
        today_text = ", ".join(map(str, today)) or ("cerrado" if lang == "es" else "closed")
        body = "\n".join([
            f"{status} · {'hoy' if lang == 'es' else 'today'}: {today_text}",
            _localised(data.get("description", ""), lang),
            f"{data.get('address', '')}", f"☎ {data.get('phone', '')} · ✉ {data.get('email', '')}",
        ])
        return ActionResult(
            title=str(data["name"]), body=body, kind="business",
            links=tuple(Link(str(data[k]), str(data[k])) for k in ("website",) if data.get(k)),
            fields={"open_now": open_now, "today": today_text, "week": week, "address": data.get("address", ""),
                    "directions": _localised(data.get("directions", ""), lang), "phone": data.get("phone", ""),
                    "email": data.get("email", ""), "website": data.get("website", ""),
                    "services": list(_localised(data.get("services", []), lang))},
        )
