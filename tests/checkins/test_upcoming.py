"""Next check-in and next digest, as people see them: working days, DST, the group's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from checkins.upcoming import (
    NOTHING_COMING,
    next_checkin,
    next_digest,
    upcoming_label,
)
from tests.checkins.builders import group

SATURDAY_NOON_UTC = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_scheduled_weekend_day_is_skipped_for_the_next_working_day() -> None:
    daily = group(checkin_schedule="daily 09:00", timezone="UTC")
    found = next_checkin(daily, now=SATURDAY_NOON_UTC)
    assert found is not None and found.label == "Mon 30 Nov 09:00 UTC"


def test_labels_are_on_the_groups_clock() -> None:
    la = group(timezone="America/Los_Angeles")  # mon 09:00, digest fri 15:00
    assert upcoming_label(next_checkin(la, now=SATURDAY_NOON_UTC)) == (
        "Mon 30 Nov 09:00 America/Los_Angeles"
    )
    assert upcoming_label(next_digest(la, now=SATURDAY_NOON_UTC)) == (
        "Fri 4 Dec 15:00 America/Los_Angeles"
    )
    tokyo = group(timezone="Asia/Tokyo", checkin_schedule="sun 09:00", working_days="sun")
    # Saturday 12:00 UTC is Saturday 21:00 in Tokyo: Sunday 09:00 local is next.
    found = next_checkin(tokyo, now=SATURDAY_NOON_UTC)
    assert found is not None and found.label == "Sun 29 Nov 09:00 Asia/Tokyo"
    assert found.at == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)


def test_across_a_dst_change_the_local_time_stays() -> None:
    la = group(timezone="America/Los_Angeles")
    before_spring_forward = datetime(2027, 3, 13, 21, 0, tzinfo=UTC)  # Saturday
    found = next_checkin(la, now=before_spring_forward)
    assert found is not None and found.label == "Mon 15 Mar 09:00 America/Los_Angeles"
    assert found.at == datetime(2027, 3, 15, 16, 0, tzinfo=UTC)  # PDT: UTC-7


def test_no_working_day_or_a_broken_schedule_says_nothing_is_coming() -> None:
    weekend_only = group(checkin_schedule="sat 09:00")  # working days Mon-Fri
    assert next_checkin(weekend_only, now=SATURDAY_NOON_UTC) is None
    assert upcoming_label(None) == NOTHING_COMING
    broken = group(checkin_schedule="whenever", digest_schedule="never 10:00")
    assert next_checkin(broken, now=SATURDAY_NOON_UTC) is None
    assert next_digest(broken, now=SATURDAY_NOON_UTC) is None
