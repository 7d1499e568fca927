"""Schedules for check-ins and digests, evaluated in the group's timezone.

A spec is either friendly, ``<days> HH:MM`` where days is ``mon``, ``mon,wed``,
``mon-fri``, ``weekdays`` or ``daily``, or a 5-field cron line
(``minute hour day-of-month month day-of-week``; day-of-week 0 or 7 is Sunday; ``*``,
lists, ranges and ``/steps``). Restricting both day-of-month and day-of-week is refused,
since cron tools disagree on what it means. Fire times are wall-clock times in the
group's timezone, so ``mon 09:00`` is 09:00 local on both sides of a DST change; a time
that does not exist on a spring-forward day fires at the first moment after the gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkins.errors import InvalidSchedule, NeverFires, UnknownTimezone

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SEARCH_DAYS = 366 * 8 + 2  # long enough to meet any 29 February


@dataclass(frozen=True)
class Schedule:
    """A parsed spec: allowed values per field (``None`` = any), plus its timezone."""

    spec: str
    tz: ZoneInfo
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int] | None
    months: frozenset[int] | None
    weekdays: frozenset[int] | None  # 0 = Monday

    def matches_day(self, day: date) -> bool:
        """Whether the schedule fires at some time on ``day``."""
        return (
            (self.days is None or day.day in self.days)
            and (self.months is None or day.month in self.months)
            and (self.weekdays is None or day.weekday() in self.weekdays)
        )


def load_timezone(name: str) -> ZoneInfo:
    """The IANA timezone ``name``; ``UnknownTimezone`` if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise UnknownTimezone(
            f"{name!r} is not a timezone name. Use an IANA name such as America/Los_Angeles."
        ) from error


def parse_weekdays(text: str) -> frozenset[int]:
    """``mon,tue`` / ``mon-fri`` / ``weekdays`` / ``daily`` as weekday numbers (0 = Monday)."""
    aliases = {"daily": "mon-sun", "weekdays": "mon-fri", "weekends": "sat-sun", "*": "mon-sun"}
    text = aliases.get(text.strip().lower(), text.strip().lower())
    return frozenset(_parse_field(text, 0, 6, names=DAY_NAMES) or range(7))


def parse_schedule(spec: str, *, timezone: str) -> Schedule:
    """Validate ``spec`` in ``timezone``; raise ``InvalidSchedule`` subclasses if unusable."""
    tz = load_timezone(timezone)
    fields = spec.split()
    if len(fields) == 2:
        schedule = _friendly(spec, fields, tz)
    elif len(fields) == 5:
        schedule = _cron(spec, fields, tz)
    else:
        raise InvalidSchedule(
            f"{spec!r} is not a schedule. Use 'mon 09:00', 'mon,thu 14:30', 'weekdays 08:45' "
            "or a 5-field cron line such as '0 9 * * 1'."
        )
    if next_fire(schedule, after=datetime(2000, 1, 1, tzinfo=UTC)) is None:
        raise NeverFires(f"{spec!r} never fires: no date matches it.")
    return schedule


def _friendly(spec: str, fields: list[str], tz: ZoneInfo) -> Schedule:
    try:
        clock = time.fromisoformat(fields[1])
    except ValueError as error:
        raise InvalidSchedule(f"{fields[1]!r} is not a time; use HH:MM, e.g. 09:00.") from error
    weekdays = parse_weekdays(fields[0])
    return Schedule(spec, tz, (clock.minute,), (clock.hour,), None, None, weekdays)


def _cron(spec: str, fields: list[str], tz: ZoneInfo) -> Schedule:
    minute, hour, day, month, weekday = fields
    days = _parse_field(day, 1, 31)
    weekdays = _parse_field(weekday.replace("7", "0"), 0, 6, names=_CRON_DAYS)
    if days is not None and weekdays is not None:
        raise InvalidSchedule(f"{spec!r}: restrict day-of-month or day-of-week, not both.")
    return Schedule(
        spec,
        tz,
        tuple(sorted(_parse_field(minute, 0, 59) or range(60))),
        tuple(sorted(_parse_field(hour, 0, 23) or range(24))),
        days,
        _parse_field(month, 1, 12, names=MONTH_NAMES, first=1),
        None if weekdays is None else frozenset((d - 1) % 7 for d in weekdays),
    )


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _parse_field(
    text: str, low: int, high: int, *, names: tuple[str, ...] = (), first: int = 0
) -> frozenset[int] | None:
    """One cron field as a set of ints, or ``None`` for ``*``."""
    if text == "*":
        return None
    values: set[int] = set()
    for part in text.lower().split(","):
        span, _, step_text = part.partition("/")
        step = _number(step_text, names=(), first=0) if step_text else 1
        if span == "*":
            start, stop = low, high
        elif "-" in span:
            a, b = span.split("-", 1)
            start, stop = _number(a, names, first), _number(b, names, first)
        else:
            start = _number(span, names, first)
            stop = high if step_text else start
        if not (low <= start <= stop <= high) or step < 1:
            raise InvalidSchedule(f"{text!r} is out of range ({low}-{high}).")
        values.update(range(start, stop + 1, step))
    return frozenset(values)


def _number(text: str, names: tuple[str, ...], first: int) -> int:
    if text in names:
        return names.index(text) + first
    if not text.isdigit():
        raise InvalidSchedule(f"{text!r} is not a number or a known name.")
    return int(text)


def _local_fires(schedule: Schedule, day: date, *, reverse: bool = False) -> Iterator[datetime]:
    pairs = [(h, m) for h in schedule.hours for m in schedule.minutes]
    for hour, minute in sorted(pairs, reverse=reverse):
        naive = datetime.combine(day, time(hour, minute))
        yield naive.replace(tzinfo=schedule.tz)


def _as_utc(local: datetime) -> datetime:
    """Wall-clock time to UTC (``fold=0``).

    A time in a spring-forward gap (02:30) lands just after it (03:30 new time); a
    repeated fall-back time (01:30) fires once, at its first occurrence.
    """
    return local.astimezone(UTC)


def next_fire(schedule: Schedule, *, after: datetime) -> datetime | None:
    """The first fire time strictly after ``after`` (aware UTC), or ``None`` if none."""
    start = after.astimezone(schedule.tz).date()
    for offset in range(_SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if schedule.matches_day(day):
            for local in _local_fires(schedule, day):
                if (fire := _as_utc(local)) > after:
                    return fire
    return None


def previous_fire(schedule: Schedule, *, at: datetime) -> datetime | None:
    """The last fire time at or before ``at`` (aware UTC), or ``None`` if none."""
    start = at.astimezone(schedule.tz).date()
    for offset in range(_SEARCH_DAYS):
        day = start - timedelta(days=offset)
        if schedule.matches_day(day):
            for local in _local_fires(schedule, day, reverse=True):
                if (fire := _as_utc(local)) <= at:
                    return fire
    return None


def period_key(schedule: Schedule, fire: datetime) -> str:
    """The idempotency key of a fire: its local date and time, e.g. ``2026-03-09T09:00``."""
    return fire.astimezone(schedule.tz).strftime("%Y-%m-%dT%H:%M")
