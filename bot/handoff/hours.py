"""When a team is there to take a chat, and how a customer reads the next opening time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, Iterator, List, Optional, Tuple
from zoneinfo import ZoneInfo

from bot.catalog.schema import WEEKDAYS

BERLIN = ZoneInfo("Europe/Berlin")
DAYS_AHEAD = 14

_WEEKDAY_NAMES = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTH_NAMES = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


@dataclass(frozen=True)
class Availability:
    """Whether a team can take a chat now, and if not, when it can."""

    open_now: bool
    next_opening: Optional[datetime]  # aware, Europe/Berlin; None when open now or on call


def _instant(day: date, clock: time) -> datetime:
    """A Berlin wall-clock time as a point in time (UTC), so comparisons hold across clock changes."""
    return datetime.combine(day, clock, tzinfo=BERLIN).astimezone(timezone.utc)


def _clock(text: str) -> time:
    """'08:00' as a time of day; '24:00' is midnight at the end of the day."""
    hours, minutes = text.split(":")
    return time(0, int(minutes)) if hours == "24" else time(int(hours), int(minutes))


def _opening_spans(hours: Dict[str, List[str]], first: date, last: date) -> Iterator[Tuple[datetime, datetime]]:
    """Each opening span from the first to the last day; one ending at or before its start runs past midnight."""
    day = first
    while day <= last:
        for span in hours.get(WEEKDAYS[day.weekday()], []):
            start_text, end_text = span.split("-")
            start, end = _clock(start_text), _clock(end_text)
            end_day = day + timedelta(days=1) if (end.hour, end.minute) <= (start.hour, start.minute) else day
            yield _instant(day, start), _instant(end_day, end)
        day += timedelta(days=1)


def availability(hours: Dict[str, List[str]], on_call: bool, at: datetime) -> Availability:
    """Whether the team is there at this moment, and if not, when it opens next (within two weeks)."""
    if on_call:
        return Availability(open_now=True, next_opening=None)
    now = at.astimezone(timezone.utc)
    today = at.astimezone(BERLIN).date()
    # Yesterday too: a span running past midnight may still be open.
    spans = list(_opening_spans(hours, today - timedelta(days=1), today + timedelta(days=DAYS_AHEAD)))
    if any(start <= now < end for start, end in spans):
        return Availability(open_now=True, next_opening=None)
    upcoming = min((start for start, _end in spans if start > now), default=None)
    return Availability(open_now=False, next_opening=upcoming.astimezone(BERLIN) if upcoming else None)


def describe_opening(moment: datetime, language: str, now: datetime) -> str:
    """The opening time as a customer reads it: 'heute um 14:00 Uhr', 'tomorrow at 08:00', 'am Montag, …'."""
    local = moment.astimezone(BERLIN)
    days = (local.date() - now.astimezone(BERLIN).date()).days
    if language == "de":
        clock = f"{local.hour}:{local.minute:02d} Uhr"
        if days == 0:
            return f"heute um {clock}"
        if days == 1:
            return f"morgen um {clock}"
        weekday, month = _WEEKDAY_NAMES["de"][local.weekday()], _MONTH_NAMES["de"][local.month - 1]
        return f"am {weekday}, {local.day}. {month}, um {clock}"
    clock = f"{local:%H:%M}"
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    weekday, month = _WEEKDAY_NAMES["en"][local.weekday()], _MONTH_NAMES["en"][local.month - 1]
    return f"on {weekday}, {local.day} {month}, at {clock}"
