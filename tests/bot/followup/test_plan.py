"""Planning reads only what it plans: a group job loads that group's commitments alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import event
from sqlmodel import Session

from bot.followup.plan import plan_due
from checkins.due import DuePolicy
from storage.engine import SessionFactory
from storage.models import Commitment
from tests.storage.helpers import make_commitment, make_group

MONDAY_9 = datetime(2026, 3, 9, 9, 1, tzinfo=UTC)
CREATED = datetime(2026, 2, 1, tzinfo=UTC)
POLICY = DuePolicy()


def _loaded_commitments(session: Session) -> list[Commitment]:
    loaded: list[Commitment] = []

    @event.listens_for(session, "loaded_as_persistent")
    def note(_session: Session, instance: object) -> None:
        if isinstance(instance, Commitment):
            loaded.append(instance)

    return loaded


def test_group_plan_loads_only_that_groups_commitments(session_factory: SessionFactory) -> None:
    with session_factory() as session:
        groups = [make_group(session, name=f"g{n}", channel=f"C{n}", now=CREATED) for n in range(3)]
        for group in groups:
            for owner in ("UA", "UB"):
                make_commitment(session, group, owner=owner, due=date(2026, 4, 1), now=CREATED)
    target = groups[1].id
    with session_factory() as session:
        loaded = _loaded_commitments(session)
        plan = plan_due(session, now=MONDAY_9, policy=POLICY, group_id=target)
        assert len(plan.checkins) == 2
        assert {c.group_id for c in loaded} == {target}  # not every open commitment
    with session_factory() as session:
        assert len(plan_due(session, now=MONDAY_9, policy=POLICY).checkins) == 6
