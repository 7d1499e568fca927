"""Small builders shared by the storage, checkins and bot tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from storage.commitments import create_commitment
from storage.groups import create_group
from storage.models import Commitment, CommitmentBase, WorkingGroup, WorkingGroupBase

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
# For tests that must run real APScheduler threads at the wall clock: with every day a
# working day and an hourly schedule, something is due whatever today's date and hour are.
EVERY_DAY = "mon,tue,wed,thu,fri,sat,sun"


def make_group(
    session: Session,
    *,
    name: str = "privacy",
    timezone: str = "UTC",
    lead: str = "ULEAD",
    channel: str = "CPRIV",
    checkin_schedule: str = "mon 09:00",
    digest_schedule: str = "fri 15:00",
    working_days: str = "mon,tue,wed,thu,fri",
    now: datetime = T0,
) -> WorkingGroup:
    base = WorkingGroupBase(
        name=name,
        channel_id=channel,
        lead_user_id=lead,
        timezone=timezone,
        checkin_schedule=checkin_schedule,
        digest_schedule=digest_schedule,
        working_days=working_days,
    )
    return create_group(session, group=base, now=now)


def make_commitment(
    session: Session,
    group: WorkingGroup,
    *,
    owner: str = "UOWNER",
    title: str = "Draft the camera policy",
    due: date = date(2026, 3, 20),
    now: datetime = T0,
) -> Commitment:
    assert group.id is not None
    return create_commitment(
        session,
        group_id=group.id,
        commitment=CommitmentBase(owner_user_id=owner, title=title, due_date=due),
        created_by=owner,
        now=now,
    )
