"""Opening-hours maths as pure functions: spans of a week, open at a moment, next opening, closing times.

No clock, no files, no language: the caller passes the moment (in the business's time zone) and the week.
A span may run past midnight ("22:00-02:00"): it belongs to the day it starts on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Parts of the day (start, end) a request may name; the slots' part_of_day values are these keys.
PARTS = {"morning": (time(6), time(14)), "afternoon": (time(14), time(20)), "evening": (time(19), time(23, 59))}
Week = dict[str, list["Span"]]


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

    def overlaps(self, start: time, end: time) -> bool:
        return self.start < end and (self.overnight or self.end > start)

    def closes_on(self, day: date, zone: tzinfo | None) -> datetime:
        """When this span, opened on `day`, closes (the next day for an overnight span)."""
        return datetime.combine(day + timedelta(days=self.overnight), self.end, zone)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def weekly_hours(data: dict[str, Any]) -> Week:
    """The week from a profile's [hours] table: weekday key -> its spans (empty: closed)."""
    return {day: [Span.parse(s) for s in data["hours"].get(day, [])] for day in DAYS}


def spans_on(hours: Week, day: date) -> list[Span]:
    return hours[DAYS[day.weekday()]]


def current_span(hours: Week, moment: datetime) -> tuple[Span, datetime] | None:
    """The span open at `moment` and when it closes, counting yesterday's spans that run past midnight."""
    today, clock = moment.date(), moment.time().replace(tzinfo=None)
    for span in spans_on(hours, today):
        if span.covers(clock):
            return span, span.closes_on(today, moment.tzinfo)
    for span in spans_on(hours, today - timedelta(days=1)):
        if span.overnight and clock < span.end:
            return span, datetime.combine(today, span.end, moment.tzinfo)
    return None


def is_open(hours: Week, moment: datetime) -> bool:
    return current_span(hours, moment) is not None


def next_opening(hours: Week, moment: datetime) -> datetime | None:
    """The next time a span starts after `moment` (within a week), or None when the week has no hours."""
    for offset in range(8):
        day = moment.date() + timedelta(days=offset)
        for span in sorted(spans_on(hours, day), key=lambda s: s.start):
            start = datetime.combine(day, span.start, moment.tzinfo)
            if start > moment:
                return start
    return None


def closing_times(hours: Week, day: date, moment: datetime) -> list[datetime]:
    """When the business closes on `day`, in order; on today, only the closings still ahead of `moment`."""
    closings = sorted(span.closes_on(day, moment.tzinfo) for span in spans_on(hours, day))
    return [c for c in closings if c > moment] if day == moment.date() else closings


def spans_in_part(hours: Week, day: date, part: str) -> list[Span]:
    """The day's spans that overlap a part of the day ("morning", "afternoon", "evening")."""
    start, end = PARTS[part]
    return [s for s in spans_on(hours, day) if s.overlaps(start, end)]


def resolve_day(value: str, today: date) -> date | None:
    """A day slot's canonical value as a date: "+1" is tomorrow, "sat" the next Saturday (today if it is one)."""
    if value.startswith("+") and value[1:].isdigit():
        return today + timedelta(days=int(value[1:]))
    if value in DAYS:
        return today + timedelta(days=(DAYS.index(value) - today.weekday()) % 7)
    return None


def parse_clock(value: str) -> time | None:
    """A time slot's canonical "HH:MM" as a time, None when it is not one."""
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None
