"""Away periods as pure rules: when someone is back, and what pauses while they are away.

``/advisor away until 2026-12-28`` means away through the whole of that day in the
person's own timezone: they are back at the next local midnight (``back_at``, computed
with the zone's rules for that date, so a DST change in between moves it correctly). While
away, check-ins scheduled before ``back_at`` are not sent (the period is skipped, not
queued) and reminders wait; nothing needs to happen for them to be back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

from checkins.due import DueCheckIn, DueReminder
from checkins.schedule import load_timezone


def back_at(until: date, *, timezone: str) -> datetime:
    """The first instant after ``until`` ends in ``timezone`` (its local midnight), in UTC."""
    zone = load_timezone(timezone)
    return datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def is_away(back: Mapping[str, datetime], user_id: str, *, at: datetime) -> bool:
    """Whether ``user_id`` is away at ``at`` (``back``: user id -> when they are back)."""
    when = back.get(user_id)
    return when is not None and at < when


def present_checkins(
    checkins: Iterable[DueCheckIn], back: Mapping[str, datetime]
) -> list[DueCheckIn]:
    """The check-ins whose owner is not away at the time they were scheduled for."""
    return [c for c in checkins if not is_away(back, c.owner_user_id, at=c.scheduled_for)]


def present_reminders(
    reminders: Iterable[DueReminder], back: Mapping[str, datetime], *, now: datetime
) -> list[DueReminder]:
    """The reminders whose owner is not away now (the others wait for their return)."""
    return [r for r in reminders if not is_away(back, r.owner_user_id, at=now)]
