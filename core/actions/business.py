"""get_business_information: the deployer's business profile (business.toml), answered for the question asked.

The one-line answer comes first and reads the request's slots (core.slots: from the model when it tags them,
else from the rules over resources/locale): the `field` asked (name, phone, email, address, website, payment,
services, parking, or the hours: when it opens, when it closes), the `day`, `time` or `part_of_day` asked. A
question about something else ("¿tienen libros de segunda mano?") is answered from the services it matches,
or says the profile does not have it. The full card follows as details.

The profile lives in core.actions.business_profile, the opening-hours maths in core.actions.hours (pure
functions); this module only chooses and words the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from core.actions.base import ActionRequest, ActionResult, ActionServices, Link
from core.actions.business_profile import items_of, load_profile, local_now, localised, text_of, zone_of
from core.actions.hours import (
    DAYS,
    Span,
    Week,
    closing_times,
    current_span,
    is_open,
    next_opening,
    parse_clock,
    resolve_day,
    spans_in_part,
    spans_on,
    weekly_hours,
)
from core.i18n import LocaleMessages, tr
from core.slots import Locale, Slot, content_words, locale_of, locale_root, resolve, values
from core.text import fold

__all__ = ["BusinessAction", "Span", "is_open", "load_profile", "local_now", "next_opening", "weekly_hours",
           "zone_of"]

MESSAGES = LocaleMessages("business")  # resources/locale/<lang>/messages.yaml

# The fields this action answers, most specific first: «¿a qué hora cierran?» names "hora" (hours) and
# "cierran" (closing) and asks for the closing; "dirección de correo" asks for the email.
FIELDS = ("name", "phone", "email", "website", "payment", "services", "parking", "address", "closing", "opening",
          "hours", "contact", "description")
HOURS_FIELDS = ("hours", "opening", "closing")


def asked_field(slots: Sequence[Slot]) -> str:
    """The business field the slots ask for ("" when they name none)."""
    named = set(values(slots, "field"))
    return next((f for f in FIELDS if f in named), "")


def _day_phrase(day: date, today: date, lang: str, locale: Locale) -> str:
    if day == today:
        return tr(MESSAGES, "today", lang)
    if (day - today).days == 1:
        return tr(MESSAGES, "tomorrow", lang)
    return tr(MESSAGES, "on_day", lang, day=locale.day_names[day.weekday()])


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]  # not str.capitalize(): it would lower "Saturday"


def _at_time_answer(hours: Week, day: date, when: str, clock: time | None, part: str, lang: str) -> str | None:
    """The answer for a time ("at 18:00") or a part of the day ("tomorrow morning"), or None when none is named."""
    if clock is not None:
        span = next((s for s in spans_on(hours, day) if s.covers(clock)), None)
        key = "at_open" if span else "at_closed"
        return tr(MESSAGES, key, lang, when=when, clock=f"{clock:%H:%M}", span=str(span or ""))
    if part:
        if lang == "en" and when == "Today":  # "This evening", not "Today evening"
            when = "This"
        inside = spans_in_part(hours, day, part)
        if not inside:
            return tr(MESSAGES, "part_closed", lang, when=when, part=tr(MESSAGES, part, lang))
        return tr(MESSAGES, "part_hours", lang, when=when, part=tr(MESSAGES, part, lang),
                  hours=", ".join(map(str, inside)))
    return None


def _closed_on(hours: Week, day: date, when: str, moment: datetime, lang: str, locale: Locale) -> str:
    line = tr(MESSAGES, "closed_on", lang, when=when)
    opening = next_opening(hours, datetime.combine(day, time(23, 59), moment.tzinfo))
    if opening:
        line += " " + tr(MESSAGES, "opens_on", lang, when=_day_phrase(opening.date(), moment.date(), lang, locale),
                         start=f"{opening:%H:%M}")
    return line


def closing_answer(hours: Week, moment: datetime, day: date, when: str, lang: str, locale: Locale) -> str:
    """When it closes on `day`: every closing still ahead (today) or of that day; closed days say so."""
    if not spans_on(hours, day):
        return _closed_on(hours, day, when, moment, lang, locale)
    closings = closing_times(hours, day, moment)
    if not closings:
        last = max(span.closes_on(day, moment.tzinfo) for span in spans_on(hours, day))
        return tr(MESSAGES, "closed_for_today", lang, end=f"{last:%H:%M}")
    times = tr(MESSAGES, "and_at", lang).join(f"{c:%H:%M}" for c in closings)
    return tr(MESSAGES, "closes", lang, when=when, times=times)


def hours_answer(hours: Week, moment: datetime, slots: Sequence[Slot], lang: str, locale: Locale,
                 field: str = "hours") -> str:
    """One line: the hours at the asked time or part of the day, of the asked day, the closing time when the
    closing was asked, or whether it is open now (and until when, or when it opens next)."""
    today = moment.date()
    days = [d for d in (resolve_day(v, today) for v in values(slots, "day")) if d is not None]
    day = days[0] if days else None
    target = day or today
    when = _capital(_day_phrase(target, today, lang, locale))
    clocks = [c for c in (parse_clock(v) for v in values(slots, "time")) if c is not None]
    parts = values(slots, "part_of_day")
    at_time = _at_time_answer(hours, target, when, clocks[0] if clocks else None, parts[0] if parts else "", lang)
    if at_time:
        return at_time
    if field == "closing":
        return closing_answer(hours, moment, target, when, lang, locale)
    if target != today:
        spans = spans_on(hours, target)
        if not spans:
            return _closed_on(hours, target, when, moment, lang, locale)
        return tr(MESSAGES, "hours_on", lang, when=when, hours=", ".join(map(str, spans)))
    current = current_span(hours, moment)
    if current:
        return tr(MESSAGES, "open_until", lang, end=f"{current[1]:%H:%M}")
    opening = next_opening(hours, moment)
    if opening is None:
        return tr(MESSAGES, "closed_never", lang)
    return tr(MESSAGES, "closed_next", lang, when=_day_phrase(opening.date(), today, lang, locale),
              start=f"{opening:%H:%M}")


def _word_set(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text)))


def matching_services(services: list[str], words: set[str]) -> list[str]:
    """The services that share at least half the request's words (whole words), most shared first: "reserve a
    book" shares one word in three with "Book launches" and is not about it."""
    scored = [(len(words & _word_set(s)), s) for s in services]
    return [s for n, s in sorted(scored, key=lambda pair: -pair[0]) if n and 2 * n >= len(words)]


def other_answer(data: dict[str, Any], words: set[str], lang: str) -> str:
    """The answer to a question that names no field ("¿tienen libros de segunda mano?"): the services that
    match its words, or that the profile does not say."""
    services = items_of(data, "services", lang)
    matches = matching_services(services, words)
    if not matches:
        return tr(MESSAGES, "missing", lang)
    if words <= _word_set(matches[0]):  # every word asked is in one service: a plain yes
        return tr(MESSAGES, "services_match", lang, value=matches[0])
    return tr(MESSAGES, "services", lang, value=", ".join(matches))


def field_answer(data: dict[str, Any], field: str, lang: str) -> str:
    """The answer naming one field of the profile, or that the profile lacks it."""
    if field == "contact":
        phone, email = text_of(data, "phone", lang), text_of(data, "email", lang)
        return tr(MESSAGES, "contact", lang, phone=phone or "—", email=email or "—") if phone or email else \
            tr(MESSAGES, "missing", lang)
    value = text_of(data, field, lang)  # the address's directions are in the card's fields, shown under it
    return tr(MESSAGES, field, lang, value=value) if value else tr(MESSAGES, "missing", lang)


class BusinessAction:
    intent = "get_business_information"

    def __init__(self, services: ActionServices) -> None:
        self.services = services
        self.path = services.resources / "sample" / "business.toml"
        self.locales = locale_root(services.resources)

    def answer(self, data: dict[str, Any], hours: Week, moment: datetime, text: str, slots: Sequence[Slot],
               lang: str) -> tuple[str, str]:
        """(the field answered, the one-line answer)."""
        locale = locale_of(lang, self.locales)
        field = asked_field(slots)
        if field and field not in HOURS_FIELDS:
            return field, field_answer(data, field, lang)
        asks_when = field or any(s.name in ("day", "time", "part_of_day") for s in slots)
        words = content_words(text, [s for s in slots if s.name != "topic"], self.locales)
        if not asks_when and words:
            if matching_services(items_of(data, "services", lang), words):
                return "services", other_answer(data, words, lang)
            if words - _word_set(str(data["name"])):  # "¿abre Aurora?" names the business, not a detail
                return "other", tr(MESSAGES, "missing", lang)
        return field or "hours", hours_answer(hours, moment, slots, lang, locale, field or "hours")

    def run(self, request: ActionRequest) -> ActionResult:
        lang = request.language
        data = load_profile(self.path)
        hours = weekly_hours(data)
        moment = local_now(data, self.services.now())
        slots = resolve(request.text, request.prediction.slots, lang, self.locales)
        field, answer = self.answer(data, hours, moment, request.text, slots, lang)
        open_now = is_open(hours, moment)
        names = locale_of(lang, self.locales).day_names
        closed = tr(MESSAGES, "closed", lang)
        week = {names[i]: ", ".join(map(str, hours[d])) or closed for i, d in enumerate(DAYS)}
        today_text = ", ".join(map(str, hours[DAYS[moment.weekday()]])) or closed
        body = "\n".join([
            answer, localised(data.get("description", ""), lang), str(data.get("address", "")),
            f"☎ {data.get('phone', '')} · ✉ {data.get('email', '')}",
        ])
        return ActionResult(
            title=str(data["name"]), body=body, kind="business",
            links=tuple(Link(str(data[k]), str(data[k])) for k in ("website",) if data.get(k)),
            fields={"answer": answer, "asked": "hours" if field in HOURS_FIELDS else field, "field": field,
                    "slots": [s.to_json() for s in slots], "open_now": open_now,
                    "status": tr(MESSAGES, "open_now" if open_now else "closed_now", lang), "today": today_text,
                    "week": week, "address": data.get("address", ""),
                    "directions": localised(data.get("directions", ""), lang), "phone": data.get("phone", ""),
                    "email": data.get("email", ""), "website": data.get("website", ""),
                    "services": items_of(data, "services", lang), "payment": items_of(data, "payment", lang),
                    "parking": text_of(data, "parking", lang)},
        )
