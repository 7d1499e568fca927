"""When a group's next check-in and next digest happen, for people to see.

Check-ins fire on the schedule's days that are also the group's working days (a fire on a
non-working day sends nothing, see ``checkins.due``); digests fire on every day of their
schedule. Times are shown on the group's own wall clock, e.g.
``Mon 30 Nov 09:00 America/Los_Angeles``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from checkins.errors import InvalidSchedule
from checkins.schedule import load_timezone, next_fire, parse_schedule, parse_weekdays
from storage.models import WorkingGroup

_MAX_SKIPS = 60  # fires skipped for falling on non-working days before giving up
NOTHING_COMING = "none (no working day matches the schedule)"


@dataclass(frozen=True)
class Upcoming:
    at: datetime  # aware UTC
    timezone: str  # the group's IANA zone

    @property
    def label(self) -> str:
        """Local wall-clock time with its zone: ``Mon 30 Nov 09:00 America/Los_Angeles``."""
        local = self.at.astimezone(load_timezone(self.timezone))
        return f"{local:%a} {local.day} {local:%b %H:%M} {self.timezone}"


def next_checkin(group: WorkingGroup, *, now: datetime) -> Upcoming | None:
    """The first check-in fire after ``now`` on a working day; ``None`` if there is none."""
    try:
        schedule = parse_schedule(group.checkin_schedule, timezone=group.timezone)
        working = parse_weekdays(group.working_days)
    except InvalidSchedule:
        return None
    fire = next_fire(schedule, after=now)
    for _ in range(_MAX_SKIPS):
        if fire is None:
            return None
        if fire.astimezone(schedule.tz).weekday() in working:
            return Upcoming(fire, group.timezone)
        fire = next_fire(schedule, after=fire)
    return None


def next_digest(group: WorkingGroup, *, now: datetime) -> Upcoming | None:
    """The first digest fire after ``now``; ``None`` if the schedule is unusable."""
    try:
        schedule = parse_schedule(group.digest_schedule, timezone=group.timezone)
    except InvalidSchedule:
        return None
    fire = next_fire(schedule, after=now)
    return Upcoming(fire, group.timezone) if fire is not None else None


def upcoming_label(upcoming: Upcoming | None) -> str:
    """``Mon 30 Nov 09:00 America/Los_Angeles``, or why nothing is coming (raw text)."""
    return upcoming.label if upcoming is not None else NOTHING_COMING
