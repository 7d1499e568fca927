"""Due dates as typed, resolved in the group's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from checkins.dates import parse_due_date
from checkins.errors import AmbiguousDate, InvalidDueDate, PastDueDate, UnknownTimezone

# Wednesday 2026-03-04, 10:00 UTC (still Wednesday in Los Angeles: 02:00)
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-15", date(2026, 12, 15)),
        ("today", date(2026, 3, 4)),
        ("Tomorrow", date(2026, 3, 5)),
        ("friday", date(2026, 3, 6)),
        ("fri", date(2026, 3, 6)),
        ("wednesday", date(2026, 3, 4)),
        ("next friday", date(2026, 3, 6)),
        ("next wednesday", date(2026, 3, 11)),
        ("in 3 days", date(2026, 3, 7)),
        ("in 2 weeks", date(2026, 3, 18)),
        ("in a week", date(2026, 3, 11)),
        ("end of month", date(2026, 3, 31)),
        ("  END   of   MONTH ", date(2026, 3, 31)),
    ],
)
def test_accepted_forms(text: str, expected: date) -> None:
    assert parse_due_date(text, now=NOW, timezone="UTC") == expected


def test_today_is_the_groups_today() -> None:
    late_evening_utc = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)  # Wed 19:00 in LA
    assert parse_due_date("today", now=late_evening_utc, timezone="America/Los_Angeles") == date(
        2026, 3, 4
    )
    assert parse_due_date("today", now=late_evening_utc, timezone="UTC") == date(2026, 3, 5)


def test_past_dates_are_refused() -> None:
    with pytest.raises(PastDueDate, match="in the past"):
        parse_due_date("2026-03-03", now=NOW, timezone="UTC")


@pytest.mark.parametrize("text", ["12/11/2026", "11.12.2026", "3/4/26"])
def test_ambiguous_dates_suggest_iso(text: str) -> None:
    with pytest.raises(AmbiguousDate, match="YYYY-MM-DD"):
        parse_due_date(text, now=NOW, timezone="UTC")


@pytest.mark.parametrize("text", ["someday", "", "next blursday", "in 2 fortnights", "2026-02-30"])
def test_unreadable_input(text: str) -> None:
    with pytest.raises(InvalidDueDate):
        parse_due_date(text, now=NOW, timezone="UTC")


def test_unknown_timezone() -> None:
    with pytest.raises(UnknownTimezone, match="IANA"):
        parse_due_date("today", now=NOW, timezone="Mars/Olympus_Mons")
