"""What is due now: check-ins, reminders, escalations and digests, as plain values.

Pure functions of ``(now, groups, commitments, history)``; nothing here sends or writes.
The scheduler calls them on each cron fire and on a periodic sweep; the claims in the
database (``storage.checkins``) make a second evaluation of the same period harmless.

* A **check-in** is due for each open commitment of a group whose check-in schedule fired
  within the misfire ``grace`` (only the latest fire counts, so a long outage sends one
  check-in per commitment, not one per missed fire), on a working day, for commitments
  created before that fire. The period key is the fire's local date and time.
* A **reminder** is due once for a sent, unanswered check-in after ``reminder_delay``
  (or at the snooze time, if the owner snoozed).
* An **escalation** is due, at a check-in fire, for a commitment overdue by more than
  ``overdue_days`` in the group's timezone, once per ISO week.
* A **digest** is due when the digest schedule fired within ``grace`` and that period has
  no digest yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from checkins.errors import InvalidSchedule
from checkins.schedule import Schedule, parse_schedule, parse_weekdays, period_key, previous_fire
from storage.models import CheckIn, Commitment, CommitmentStatus, Digest, Escalation, WorkingGroup


@dataclass(frozen=True)
class DuePolicy:
    """The knobs, from settings."""

    grace: timedelta = timedelta(hours=6)
    reminder_delay: timedelta = timedelta(hours=24)
    overdue_days: int = 3


@dataclass(frozen=True)
class DueCheckIn:
    group_id: int
    commitment_id: int
    owner_user_id: str
    period: str
    scheduled_for: datetime


@dataclass(frozen=True)
class DueReminder:
    checkin_id: int
    commitment_id: int
    owner_user_id: str


@dataclass(frozen=True)
class DueEscalation:
    group_id: int
    commitment_id: int
    lead_user_id: str
    period: str
    days_overdue: int


@dataclass(frozen=True)
class DueDigest:
    group_id: int
    period: str
    scheduled_for: datetime


def latest_fire(spec: str, *, timezone: str, now: datetime, grace: timedelta) -> datetime | None:
    """The last fire of ``spec`` at or before ``now`` if it is within ``grace``, else None."""
    schedule = parse_schedule(spec, timezone=timezone)
    fire = previous_fire(schedule, at=now)
    return fire if fire is not None and now - fire <= grace else None


def _checkin_fire(group: WorkingGroup, *, now: datetime, grace: timedelta) -> datetime | None:
    """The group's check-in fire within grace, on a working day; None otherwise."""
    try:
        fire = latest_fire(group.checkin_schedule, timezone=group.timezone, now=now, grace=grace)
        working = parse_weekdays(group.working_days)
    except InvalidSchedule:
        return None  # validated on entry; a bad row is reported by the admin CLI, not here
    if fire is None or fire.astimezone(_schedule(group).tz).weekday() not in working:
        return None
    return fire


def current_checkin_period(group: WorkingGroup, *, now: datetime) -> str | None:
    """The period whose check-in is outstanding at ``now``: the group's latest check-in
    fire at or before ``now`` on a working day (no grace), as its period key.

    An update (``/advisor update``) answers only a check-in of this period; one from an
    earlier period is stale, and the update waits for the next check-in instead.
    """
    try:
        schedule, working = _schedule(group), parse_weekdays(group.working_days)
    except InvalidSchedule:
        return None
    at = now
    for _ in range(_WORKING_FIRE_SEARCH):
        fire = previous_fire(schedule, at=at)
        if fire is None:
            return None
        if fire.astimezone(schedule.tz).weekday() in working:
            return period_key(schedule, fire)
        at = fire - timedelta(microseconds=1)
    return None


_WORKING_FIRE_SEARCH = 400  # fires looked back through for one on a working day


def _schedule(group: WorkingGroup) -> Schedule:
    return parse_schedule(group.checkin_schedule, timezone=group.timezone)


def due_checkins(
    *,
    now: datetime,
    group: WorkingGroup,
    commitments: Iterable[Commitment],
    history: Iterable[CheckIn],
    grace: timedelta,
) -> list[DueCheckIn]:
    """Check-ins to send now for ``group`` (see the module docstring)."""
    if group.archived or group.id is None:
        return []
    fire = _checkin_fire(group, now=now, grace=grace)
    if fire is None:
        return []
    period = period_key(_schedule(group), fire)
    claimed = {c.commitment_id for c in history if c.period == period}
    return [
        DueCheckIn(group.id, c.id, c.owner_user_id, period, fire)
        for c in commitments
        if c.id is not None
        and c.group_id == group.id
        and c.status == CommitmentStatus.OPEN
        and c.created_at <= fire
        and c.id not in claimed
    ]


def due_reminders(
    *,
    now: datetime,
    checkins: Iterable[CheckIn],
    commitments: Iterable[Commitment],
    delay: timedelta,
) -> list[DueReminder]:
    """Reminders to send now: one per unanswered check-in of an open commitment."""
    open_by_id = {c.id: c for c in commitments if c.status == CommitmentStatus.OPEN}
    due = []
    for checkin in checkins:
        commitment = open_by_id.get(checkin.commitment_id)
        if commitment is None or checkin.id is None or not _reminder_ready(checkin, now, delay):
            continue
        due.append(DueReminder(checkin.id, commitment.id or 0, commitment.owner_user_id))
    return due


def _reminder_ready(checkin: CheckIn, now: datetime, delay: timedelta) -> bool:
    if checkin.sent_at is None or checkin.response is not None or checkin.reminder_sent_at:
        return False
    ready_at = checkin.snoozed_until or checkin.sent_at + delay
    return now >= ready_at


def due_escalations(
    *,
    now: datetime,
    group: WorkingGroup,
    commitments: Iterable[Commitment],
    escalations: Iterable[Escalation],
    policy: DuePolicy,
) -> list[DueEscalation]:
    """Escalations to the lead, at a check-in fire, once per commitment per ISO week."""
    if group.archived or group.id is None:
        return []
    fire = _checkin_fire(group, now=now, grace=policy.grace)
    if fire is None:
        return []
    local_day = fire.astimezone(_schedule(group).tz).date()
    year, week, _ = local_day.isocalendar()
    period = f"{year}-W{week:02d}"
    done = {e.commitment_id for e in escalations if e.period == period}
    due = []
    for c in commitments:
        late_by = (local_day - c.due_date).days
        if c.id is None or c.group_id != group.id or c.status != CommitmentStatus.OPEN:
            continue
        if late_by > policy.overdue_days and c.id not in done:
            due.append(DueEscalation(group.id, c.id, group.lead_user_id, period, late_by))
    return due


def due_digest(
    *, now: datetime, group: WorkingGroup, digests: Sequence[Digest], grace: timedelta
) -> DueDigest | None:
    """The digest to post now for ``group``, or None."""
    if group.archived or group.id is None:
        return None
    try:
        schedule = parse_schedule(group.digest_schedule, timezone=group.timezone)
    except InvalidSchedule:
        return None
    fire = previous_fire(schedule, at=now)
    if fire is None or now - fire > grace:
        return None
    period = period_key(schedule, fire)
    if any(d.period == period for d in digests):
        return None
    return DueDigest(group.id, period, fire)
