"""get_business_information: the deployer's business profile (TOML), answered for the question asked.

The one-line answer comes first, chosen by keyword rules over the request (Spanish and English, accents
ignored): the phone, the email, the address, the website, or the opening hours (today, tomorrow, a weekday,
"now"). The full card follows as details. Opening hours are computed in the business's own time zone and may
run past midnight ("22:00-02:00").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.actions.base import ActionRequest, ActionResult, ActionServices, Link
from core.i18n import tr
from core.text import fold

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MAX_PROFILE_BYTES = 256 << 10  # a business file is a few kB

MESSAGES = {
    "open_now": {"es": "Abierto ahora", "en": "Open now"},
    "closed_now": {"es": "Cerrado ahora", "en": "Closed now"},
    "closed": {"es": "cerrado", "en": "closed"},
    "open_until": {"es": "Sí, abierto ahora hasta las {end}.", "en": "Yes, open now until {end}."},
    "closed_next": {"es": "Ahora está cerrado; abre {when} a las {start}.",
                    "en": "Closed now; opens {when} at {start}."},
    "closed_never": {"es": "Ahora está cerrado y no tiene horario publicado.",
                     "en": "Closed now, with no published opening hours."},
    "opens_on": {"es": "Abre {when} a las {start}.", "en": "Opens {when} at {start}."},
    "hours_on": {"es": "{when}: {hours}.", "en": "{when}: {hours}."},
    "closed_on": {"es": "{when}: cerrado.", "en": "{when}: closed."},
    "today": {"es": "hoy", "en": "today"},
    "part_hours": {"es": "{when} {part}: {hours}.", "en": "{when} {part}: {hours}."},
    "part_closed": {"es": "{when} {part}: cerrado.", "en": "{when} {part}: closed."},
    "at_open": {"es": "{when} a las {clock}: abierto ({span}).", "en": "{when} at {clock}: open ({span})."},
    "at_closed": {"es": "{when} a las {clock}: cerrado.", "en": "{when} at {clock}: closed."},
    "morning": {"es": "por la mañana", "en": "morning"},
    "afternoon": {"es": "por la tarde", "en": "afternoon"},
    "evening": {"es": "por la noche", "en": "evening"},
    "tomorrow": {"es": "mañana", "en": "tomorrow"},
    "on_day": {"es": "el {day}", "en": "on {day}"},
    "phone": {"es": "El teléfono es {value}.", "en": "The phone number is {value}."},
    "email": {"es": "El correo es {value}.", "en": "The email address is {value}."},
    "address": {"es": "La dirección es {value}.", "en": "The address is {value}."},
    "website": {"es": "La web es {value}.", "en": "The website is {value}."},
    "missing": {"es": "Ese dato no está en la ficha del negocio.", "en": "That detail is not in the business profile."},
}

# What the request asks about: keyword stems (lower case, no accents) -> the field that answers it.
ASKS = (
    ("phone", ("telefono", "phone", "llamar", "call", "numero", "number", "movil", "whatsapp")),
    ("email", ("correo", "email", "e-mail", "mail", "escribir", "write to")),
    ("website", ("web", "pagina", "website", "site", "url", "internet")),
    ("address", ("direccion", "donde", "address", "where", "ubicacion", "located", "location", "llegar",
                 "get there", "calle", "street", "mapa", "map")),
)
TOMORROW = ("manana", "tomorrow")
DAY_WORDS = {
    "mon": ("lunes", "monday"), "tue": ("martes", "tuesday"), "wed": ("miercoles", "wednesday"),
    "thu": ("jueves", "thursday"), "fri": ("viernes", "friday"), "sat": ("sabado", "saturday"),
    "sun": ("domingo", "sunday"),
}


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"\b{re.escape(word)}", text) for word in words)


@dataclass(frozen=True)
class Span:
    start: time
    end: time  # may be earlier than start: the span runs past midnight into the next day

    @staticmethod
    def parse(text: str) -> Span:
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as exc:
            raise ValueError(f"opening hours must look like '09:00-14:00', found {text!r}") from exc
        if end == start:
            raise ValueError(f"opening hours {text!r} start and end at the same time")
        return Span(start, end)

    @property
    def overnight(self) -> bool:
        return self.end < self.start

    def covers(self, clock: time) -> bool:
        """Open at `clock` on the span's own day (an overnight span runs on to midnight)."""
        return self.start <= clock and (self.overnight or clock < self.end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def load_profile(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_PROFILE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_PROFILE_BYTES} bytes; a business profile is a few kB")
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    missing = [key for key in ("name", "hours") if key not in data]
    if missing:
        raise ValueError(f"{path} lacks {missing}; see resources/sample/business.toml for the format")
    return data


def weekly_hours(data: dict[str, Any]) -> dict[str, list[Span]]:
    return {day: [Span.parse(s) for s in data["hours"].get(day, [])] for day in DAYS}


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


def _spans_on(hours: dict[str, list[Span]], day: date) -> list[Span]:
    return hours[DAYS[day.weekday()]]


def current_span(hours: dict[str, list[Span]], moment: datetime) -> tuple[Span, datetime] | None:
    """The span open at `moment` and when it closes, counting yesterday's spans that run past midnight."""
    today, clock = moment.date(), moment.time().replace(tzinfo=None)
    for span in _spans_on(hours, today):
        if span.covers(clock):
            closes = datetime.combine(today + timedelta(days=span.overnight), span.end, moment.tzinfo)
            return span, closes
    for span in _spans_on(hours, today - timedelta(days=1)):
        if span.overnight and clock < span.end:
            return span, datetime.combine(today, span.end, moment.tzinfo)
    return None


def is_open(hours: dict[str, list[Span]], moment: datetime) -> bool:
    return current_span(hours, moment) is not None


def next_opening(hours: dict[str, list[Span]], moment: datetime) -> datetime | None:
    """The next time a span starts after `moment` (within a week), or None when the week has no hours."""
    for offset in range(8):
        day = moment.date() + timedelta(days=offset)
        for span in sorted(_spans_on(hours, day), key=lambda s: s.start):
            start = datetime.combine(day, span.start, moment.tzinfo)
            if start > moment:
                return start
    return None


def _localised(value: Any, language: str) -> Any:
    return value.get(language, next(iter(value.values()))) if isinstance(value, dict) else value


def _day_phrase(day: date, today: date, lang: str) -> str:
    if day == today:
        return tr(MESSAGES, "today", lang)
    if day == today + timedelta(days=1):
        return tr(MESSAGES, "tomorrow", lang)
    return tr(MESSAGES, "on_day", lang, day=DAY_NAMES[lang][day.weekday()])


def asked_day(text: str, today: date) -> date | None:
    """The day a request asks about ("mañana", "el sábado", "on Monday"), or None for today/now."""
    for day, words in DAY_WORDS.items():
        if _has(text, words):
            ahead = (DAYS.index(day) - today.weekday()) % 7
            return today + timedelta(days=ahead)
    # "mañana" alone means tomorrow; "por la mañana" / "this morning" does not
    if _has(text, ("tomorrow",)) or re.search(r"(?<!la )\bmanana\b", text):
        return today + timedelta(days=1)
    return None


# Parts of the day (start, end) and the words that ask for them; "mañana" alone is tomorrow, not morning.
PARTS = {"morning": (time(6), time(14), ("morning", "por la manana", "de manana")),
         "afternoon": (time(14), time(20), ("afternoon", "por la tarde", "esta tarde", "de la tarde")),
         "evening": (time(19), time(23, 59), ("evening", "tonight", "por la noche", "esta noche", "de la noche"))}


def asked_part(text: str) -> str:
    return next((part for part, (_, _, words) in PARTS.items() if _has(text, words)), "")


def asked_clock(text: str) -> time | None:
    """"at 18:30", "at 6pm", "a las 6 de la tarde", "a las 18" -> that time; None when no time is named."""
    match = re.search(r"\b(?:at|a las|a la)\s+(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|p\.m\.|a\.m\.)?", text)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    later = (match[3] or "").startswith("p") or asked_part(text[match.end():]) in ("afternoon", "evening")
    if later and hour < 12:
        hour += 12
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _overlap(span: Span, start: time, end: time) -> bool:
    return span.start < end and (span.overnight or span.end > start)


def _at_time_answer(hours: dict[str, list[Span]], day: date, when: str, text: str, lang: str) -> str | None:
    """The answer for a time ("at 18:00") or a part of the day ("tomorrow morning"), or None when none is named."""
    clock, part = asked_clock(text), asked_part(text)
    spans = _spans_on(hours, day)
    if clock is not None:
        span = next((s for s in spans if s.covers(clock)), None)
        key = "at_open" if span else "at_closed"
        return tr(MESSAGES, key, lang, when=when, clock=f"{clock:%H:%M}", span=str(span or ""))
    if part:
        if lang == "en" and when == "Today":  # "This evening", not "Today evening"
            when = "This"
        start, end, _ = PARTS[part]
        inside = [s for s in spans if _overlap(s, start, end)]
        if not inside:
            return tr(MESSAGES, "part_closed", lang, when=when, part=tr(MESSAGES, part, lang))
        return tr(MESSAGES, "part_hours", lang, when=when, part=tr(MESSAGES, part, lang),
                  hours=", ".join(map(str, inside)))
    return None


def hours_answer(hours: dict[str, list[Span]], moment: datetime, text: str, lang: str) -> str:
    """One line: the hours at the asked time or part of the day, of the asked day, or whether it is open now (and
    until when, or when it opens next)."""
    day = asked_day(text, moment.date())
    target = day or moment.date()
    phrase = _day_phrase(target, moment.date(), lang)
    when = phrase[:1].upper() + phrase[1:]  # not str.capitalize(): it would lower "Saturday"
    at_time = _at_time_answer(hours, target, when, text, lang)
    if at_time:
        return at_time
    if day is not None and day != moment.date():
        spans = _spans_on(hours, day)
        if not spans:
            opening = next_opening(hours, datetime.combine(day, time(23, 59), moment.tzinfo))
            line = tr(MESSAGES, "closed_on", lang, when=when)
            if opening:
                line += " " + tr(MESSAGES, "opens_on", lang, when=_day_phrase(opening.date(), moment.date(), lang),
                                 start=f"{opening:%H:%M}")
            return line
        return tr(MESSAGES, "hours_on", lang, when=when, hours=", ".join(map(str, spans)))
    current = current_span(hours, moment)
    if current:
        return tr(MESSAGES, "open_until", lang, end=f"{current[1]:%H:%M}")
    opening = next_opening(hours, moment)
    if opening is None:
        return tr(MESSAGES, "closed_never", lang)
    return tr(MESSAGES, "closed_next", lang, when=_day_phrase(opening.date(), moment.date(), lang),
              start=f"{opening:%H:%M}")


def asked_field(text: str) -> str:
    """'phone', 'email', 'website', 'address' or 'hours' (the default: most questions are about hours)."""
    for name, words in ASKS:
        if _has(text, words):
            return name
    return "hours"


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
        text = fold(request.text)
        asked = asked_field(text)
        if asked == "hours":
            answer = hours_answer(hours, moment, text, lang)
        elif data.get(asked):
            answer = tr(MESSAGES, asked, lang, value=str(data[asked]))
        else:
            answer = tr(MESSAGES, "missing", lang)
        open_now = is_open(hours, moment)
        names = DAY_NAMES[lang]
        closed = tr(MESSAGES, "closed", lang)
        week = {names[i]: ", ".join(map(str, hours[d])) or closed for i, d in enumerate(DAYS)}
        today_text = ", ".join(map(str, hours[DAYS[moment.weekday()]])) or closed
        body = "\n".join([
            answer, _localised(data.get("description", ""), lang), str(data.get("address", "")),
            f"☎ {data.get('phone', '')} · ✉ {data.get('email', '')}",
        ])
        return ActionResult(
            title=str(data["name"]), body=body, kind="business",
            links=tuple(Link(str(data[k]), str(data[k])) for k in ("website",) if data.get(k)),
            fields={"answer": answer, "asked": asked, "open_now": open_now,
                    "status": tr(MESSAGES, "open_now" if open_now else "closed_now", lang), "today": today_text,
                    "week": week, "address": data.get("address", ""),
                    "directions": _localised(data.get("directions", ""), lang), "phone": data.get("phone", ""),
                    "email": data.get("email", ""), "website": data.get("website", ""),
                    "services": list(_localised(data.get("services", []), lang))},
        )
