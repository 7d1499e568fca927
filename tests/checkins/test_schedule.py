"""Schedule specs: validation, and fire times in the group's timezone across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from checkins.errors import InvalidSchedule, NeverFires, UnknownTimezone
from checkins.schedule import next_fire, parse_schedule, parse_weekdays, period_key, previous_fire

LA = "America/Los_Angeles"


def _fires(spec: str, tz: str, start: datetime, count: int) -> list[datetime]:
    schedule = parse_schedule(spec, timezone=tz)
    fires, at = [], start
    for _ in range(count):
        at = next_fire(schedule, after=at)
        fires.append(at)
    return fires


@pytest.mark.parametrize(
    ("start", "dst_change"),
    [
        (datetime(2026, 2, 23, tzinfo=UTC), datetime(2026, 3, 8, 10, tzinfo=UTC)),  # spring
        (datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 11, 1, 9, tzinfo=UTC)),  # fall
    ],
)
def test_weekly_checkin_stays_at_nine_local_across_dst(
    start: datetime, dst_change: datetime
) -> None:
    fires = _fires("mon 09:00", LA, start, 4)
    schedule = parse_schedule("mon 09:00", timezone=LA)
    local = [f.astimezone(schedule.tz) for f in fires]
    assert all(f.time() == time(9, 0) and f.weekday() == 0 for f in local)
    assert any(f < dst_change for f in fires) and any(f > dst_change for f in fires)
    offsets = {f.utcoffset() for f in local}
    assert len(offsets) == 2  # both sides of the change were covered
    assert len({f.hour for f in fires}) == 2  # ... so the UTC hour moved


def test_five_field_cron_equivalent() -> None:
    friendly = _fires("mon 09:00", LA, datetime(2026, 3, 1, tzinfo=UTC), 3)
    assert _fires("0 9 * * 1", LA, datetime(2026, 3, 1, tzinfo=UTC), 3) == friendly
    assert _fires("0 9 * * mon", LA, datetime(2026, 3, 1, tzinfo=UTC), 3) == friendly


def test_gap_and_repeated_hours() -> None:
    spring = _fires("30 2 * * *", LA, datetime(2026, 3, 7, 12, tzinfo=UTC), 2)
    tz = parse_schedule("30 2 * * *", timezone=LA).tz
    assert spring[0].astimezone(tz).time() == time(3, 30)  # 02:30 does not exist that day
    fall = _fires("30 1 * * *", LA, datetime(2026, 10, 31, 12, tzinfo=UTC), 2)
    assert (fall[1] - fall[0]).total_seconds() == 25 * 3600  # fired once on the long day


def test_previous_fire_and_period_key() -> None:
    schedule = parse_schedule("weekdays 08:45", timezone="Europe/Amsterdam")
    at = datetime(2026, 3, 7, 12, tzinfo=UTC)  # Saturday
    fire = previous_fire(schedule, at=at)
    assert period_key(schedule, fire) == "2026-03-06T08:45"
    assert previous_fire(schedule, at=fire) == fire


def test_never_firing_cron_is_refused() -> None:
    with pytest.raises(NeverFires, match="never fires"):
        parse_schedule("0 0 31 2 *", timezone="UTC")
    parse_schedule("0 0 29 2 *", timezone="UTC")  # leap days do come


@pytest.mark.parametrize(
    "spec", ["", "mon", "mon 25:00", "blursday 09:00", "61 * * * *", "0 9 1 * 1", "0 9 * *"]
)
def test_invalid_specs(spec: str) -> None:
    with pytest.raises(InvalidSchedule):
        parse_schedule(spec, timezone="UTC")


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(UnknownTimezone):
        parse_schedule("mon 09:00", timezone="America/Springfield")


def test_weekday_sets() -> None:
    assert parse_weekdays("mon-fri") == frozenset(range(5))
    assert parse_weekdays("weekdays") == frozenset(range(5))
    assert parse_weekdays("daily") == frozenset(range(7))
    assert parse_weekdays("mon,wed") == frozenset({0, 2})
