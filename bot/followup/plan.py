"""Load what the check-in rules need from the database and ask them what is due.

Shared by the scheduler's jobs (which then send) and ``advisor checkins due`` (which only
shows). The rules themselves live in ``checkins.due``; this module only reads.

Owners who are away (``checkins.away``) get no check-in scheduled before they are back and
no reminder while away. A check-in whose commitment has an update nobody counted yet is
planned as ``counted`` (recorded from the update, no DM) instead of ``checkins``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from checkins.away import present_checkins, present_reminders
from checkins.due import (
    DueCheckIn,
    DueDigest,
    DueEscalation,
    DuePolicy,
    DueReminder,
    due_checkins,
    due_digest,
    due_escalations,
    due_reminders,
)
from storage import checkins as checkin_store
from storage.away import away_periods
from storage.commitments import open_commitments_by_group
from storage.groups import get_group, list_groups
from storage.models import Commitment, WorkingGroup, saved_id
from storage.updates import pending_updates

HISTORY_WINDOW = timedelta(days=60)


@dataclass
class DuePlan:
    """Everything due at one moment, plus the rows needed to word the messages."""

    checkins: list[DueCheckIn] = field(default_factory=list)
    reminders: list[DueReminder] = field(default_factory=list)
    escalations: list[DueEscalation] = field(default_factory=list)
    digests: list[DueDigest] = field(default_factory=list)
    counted: list[tuple[DueCheckIn, int]] = field(default_factory=list)  # (check-in, update id)
    groups: dict[int, WorkingGroup] = field(default_factory=dict)
    commitments: dict[int, Commitment] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            self.checkins or self.reminders or self.escalations or self.digests or self.counted
        )


def plan_due(
    session: Session, *, now: datetime, policy: DuePolicy, group_id: int | None = None
) -> DuePlan:
    """What is due at ``now``, for one group or for all active groups."""
    if group_id is not None:
        found = get_group(session, group_id=group_id)
        groups = [found] if found is not None and not found.archived else []
    else:
        groups = list(list_groups(session))
    by_group = open_commitments_by_group(session, group_id=group_id)
    plan = DuePlan(groups={g.id: g for g in groups if g.id is not None})
    for group in groups:
        _plan_group(session, plan, group, by_group.get(group.id or 0, []), now, policy)
    back = {u: p.back_at for u, p in away_periods(session, at=now - policy.grace).items()}
    plan.checkins = present_checkins(plan.checkins, back)
    plan.reminders = present_reminders(plan.reminders, back, now=now)
    pending = pending_updates(session, commitment_ids=[c.commitment_id for c in plan.checkins])
    plan.counted = [
        (c, saved_id(pending[c.commitment_id])) for c in plan.checkins if c.commitment_id in pending
    ]
    plan.checkins = [c for c in plan.checkins if c.commitment_id not in pending]
    return plan


def _plan_group(
    session: Session,
    plan: DuePlan,
    group: WorkingGroup,
    commitments: list[Commitment],
    now: datetime,
    policy: DuePolicy,
) -> None:
    assert group.id is not None
    plan.commitments.update({c.id: c for c in commitments if c.id is not None})
    ids = [c.id for c in commitments if c.id is not None]
    history = checkin_store.checkins_for(session, commitment_ids=ids, since=now - HISTORY_WINDOW)
    plan.checkins += due_checkins(
        now=now, group=group, commitments=commitments, history=history, grace=policy.grace
    )
    plan.reminders += due_reminders(
        now=now, checkins=history, commitments=commitments, delay=policy.reminder_delay
    )
    escalated = checkin_store.escalations_for(session, commitment_ids=ids)
    plan.escalations += due_escalations(
        now=now, group=group, commitments=commitments, escalations=escalated, policy=policy
    )
    digests = checkin_store.digests_for(session, group_id=group.id)
    digest = due_digest(now=now, group=group, digests=digests, grace=policy.grace)
    if digest is not None:
        plan.digests.append(digest)
