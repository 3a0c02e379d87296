"""When a team can take a chat, and how the next opening reads to a customer."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff.hours import BERLIN, Availability, availability, describe_opening

CUSTOMER_SERVICE = {
    "mon": ["08:00-18:00"], "tue": ["08:00-18:00"], "wed": ["08:00-18:00"], "thu": ["08:00-18:00"],
    "fri": ["08:00-18:00"], "sat": ["09:00-13:00"], "sun": [],
}


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_saturday_afternoon_waits_for_monday_morning() -> None:
    assert availability(CUSTOMER_SERVICE, False, berlin(2025, 11, 22, 14)) == Availability(
        open_now=False, next_opening=berlin(2025, 11, 24, 8))


def test_friday_one_minute_before_closing_is_open() -> None:
    assert availability(CUSTOMER_SERVICE, False, berlin(2025, 11, 21, 17, 59)) == Availability(True, None)


def test_friday_at_closing_time_waits_for_saturday() -> None:
    assert availability(CUSTOMER_SERVICE, False, berlin(2025, 11, 21, 18)) == Availability(
        open_now=False, next_opening=berlin(2025, 11, 22, 9))


def test_a_moment_in_another_time_zone_is_read_in_berlin() -> None:
    friday_evening_utc = datetime(2025, 11, 21, 16, 59, tzinfo=timezone.utc)  # 17:59 in Berlin
    assert availability(CUSTOMER_SERVICE, False, friday_evening_utc).open_now
    result = availability(CUSTOMER_SERVICE, False, datetime(2025, 11, 21, 17, 0, tzinfo=timezone.utc))
    assert result.next_opening == berlin(2025, 11, 22, 9)
    assert result.next_opening.tzinfo is BERLIN


@pytest.mark.parametrize("at", [berlin(2025, 11, 23, 3), berlin(2025, 11, 22, 14), berlin(2025, 12, 24, 23, 59)])
def test_a_team_on_call_is_always_open(at: datetime) -> None:
    assert availability({}, True, at) == Availability(open_now=True, next_opening=None)


def test_a_team_without_hours_has_no_next_opening() -> None:
    assert availability({"mon": [], "tue": []}, False, berlin(2025, 11, 22, 14)) == Availability(False, None)


def test_spring_clock_change_weekend() -> None:
    at = berlin(2026, 3, 28, 14)  # Saturday, still winter time
    opening = availability(CUSTOMER_SERVICE, False, at).next_opening
    assert opening == berlin(2026, 3, 30, 8)
    assert opening.utcoffset() == timedelta(hours=2)
    assert opening.astimezone(timezone.utc) - at.astimezone(timezone.utc) == timedelta(hours=41)


def test_autumn_clock_change_weekend() -> None:
    at = berlin(2026, 10, 24, 14)  # Saturday, still summer time
    opening = availability(CUSTOMER_SERVICE, False, at).next_opening
    assert opening == berlin(2026, 10, 26, 8)
    assert opening.utcoffset() == timedelta(hours=1)
    assert opening.astimezone(timezone.utc) - at.astimezone(timezone.utc) == timedelta(hours=43)


def test_hours_on_the_clock_change_night_follow_the_real_clock() -> None:
    night_shift = {"sun": ["01:00-05:00"]}
    assert availability(night_shift, False, datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)).open_now  # 03:30
    assert availability(night_shift, False, datetime(2026, 10, 25, 3, 30, tzinfo=timezone.utc)).open_now  # 04:30
    assert not availability(night_shift, False, datetime(2026, 10, 25, 4, 0, tzinfo=timezone.utc)).open_now


def test_an_opening_time_the_spring_change_skips_becomes_the_first_real_minute() -> None:
    opening = availability({"sun": ["02:30-06:00"]}, False, berlin(2026, 3, 28, 20)).next_opening
    assert opening.astimezone(timezone.utc) == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    assert (opening.hour, opening.minute) == (3, 30)


def test_hours_running_past_midnight() -> None:
    late = {"fri": ["20:00-24:00"], "sat": ["22:00-02:00"]}
    assert availability(late, False, berlin(2025, 11, 21, 23, 59)).open_now
    assert not availability(late, False, berlin(2025, 11, 22, 0)).open_now
    assert availability(late, False, berlin(2025, 11, 23, 1, 30)).open_now
    assert availability(late, False, berlin(2025, 11, 23, 2)).next_opening == berlin(2025, 11, 28, 20)


NOW = berlin(2025, 11, 22, 10)  # Saturday


@pytest.mark.parametrize("moment, german, english", [
    (berlin(2025, 11, 22, 14), "heute um 14:00 Uhr", "today at 14:00"),
    (berlin(2025, 11, 23, 8), "morgen um 8:00 Uhr", "tomorrow at 08:00"),
    (berlin(2025, 11, 24, 8), "am Montag, 24. November, um 8:00 Uhr", "on Monday, 24 November, at 08:00"),
    (berlin(2025, 12, 1, 9, 30), "am Montag, 1. Dezember, um 9:30 Uhr", "on Monday, 1 December, at 09:30"),
])
def test_describe_opening(moment: datetime, german: str, english: str) -> None:
    assert describe_opening(moment, "de", NOW) == german
    assert describe_opening(moment, "en", NOW) == english


def test_describe_opening_uses_german_month_names_with_umlauts() -> None:
    opening = availability(CUSTOMER_SERVICE, False, berlin(2026, 3, 28, 14)).next_opening
    assert describe_opening(opening, "de", berlin(2026, 3, 28, 14)) == "am Montag, 30. März, um 8:00 Uhr"
    assert describe_opening(opening, "en", berlin(2026, 3, 28, 14)) == "on Monday, 30 March, at 08:00"


def test_describe_opening_counts_days_in_berlin() -> None:
    just_after_midnight = datetime(2025, 11, 21, 23, 30, tzinfo=timezone.utc)  # Saturday 00:30 in Berlin
    assert describe_opening(berlin(2025, 11, 22, 9), "de", just_after_midnight) == "heute um 9:00 Uhr"
    assert describe_opening(datetime(2025, 11, 23, 7, tzinfo=timezone.utc), "en", just_after_midnight) == (
        "tomorrow at 08:00")
