"""Groups, memberships and commitments, with the permission rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from storage import commitments, groups
from storage.engine import SessionFactory
from storage.errors import DuplicateGroup, InvalidValue, NotFound, PermissionDenied
from storage.models import CommitmentBase, CommitmentStatus
from tests.storage.helpers import T0, make_commitment, make_group

ADMINS = ("UADMIN",)


def test_create_group_adds_lead_membership_and_refuses_duplicates(session: Session) -> None:
    group = make_group(session)
    assert group.id is not None
    members = groups.list_members(session, group_id=group.id)
    assert [(m.user_id, m.role) for m in members] == [("ULEAD", "lead")]
    with pytest.raises(DuplicateGroup, match="privacy"):
        make_group(session)
    assert groups.get_group_by_name(session, name="privacy") is not None
    assert groups.get_group_by_name(session, name="nope") is None


def test_datetimes_round_trip_as_aware_utc(
    session: Session, session_factory: SessionFactory
) -> None:
    local = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    group = make_group(session, now=local.astimezone(ZoneInfo("Asia/Tokyo")))
    with session_factory() as fresh:
        loaded = groups.get_group(fresh, group_id=group.id)
        assert loaded is not None
        assert loaded.created_at == local
        assert loaded.created_at.tzinfo == UTC


def test_naive_datetimes_are_refused(session: Session) -> None:
    with pytest.raises(Exception, match="naive"):
        make_group(session, now=datetime(2026, 1, 1, 9, 0))


def test_membership_is_idempotent_and_removable(session: Session) -> None:
    group = make_group(session)
    first = groups.add_member(session, group_id=group.id, user_id="U1", now=T0)
    again = groups.add_member(session, group_id=group.id, user_id="U1", now=T0)
    assert first.id == again.id
    assert groups.remove_member(session, group_id=group.id, user_id="U1")
    assert not groups.remove_member(session, group_id=group.id, user_id="U1")
    with pytest.raises(InvalidValue):
        groups.add_member(session, group_id=group.id, user_id="U2", now=T0, role="boss")


def test_only_admins_delete_groups_and_delete_cascades(session: Session) -> None:
    group = make_group(session)
    commitment_id = make_commitment(session, group).id
    with pytest.raises(PermissionDenied, match="admins"):
        groups.delete_group(session, group_id=group.id, actor_user_id="ULEAD", admin_ids=ADMINS)
    assert groups.delete_group(session, group_id=group.id, actor_user_id="UADMIN", admin_ids=ADMINS)
    session.expire_all()
    assert commitments.get_commitment(session, commitment_id=commitment_id) is None
    assert not groups.delete_group(
        session, group_id=group.id, actor_user_id="UADMIN", admin_ids=ADMINS
    )


def test_schedule_change_is_for_lead_or_admin(session: Session) -> None:
    group = make_group(session)
    with pytest.raises(PermissionDenied):
        groups.update_group_schedule(
            session,
            group_id=group.id,
            actor_user_id="USOMEONE",
            admin_ids=ADMINS,
            checkin_schedule="tue 10:00",
        )
    changed = groups.update_group_schedule(
        session,
        group_id=group.id,
        actor_user_id="ULEAD",
        admin_ids=ADMINS,
        checkin_schedule="tue 10:00",
    )
    assert changed is not None and changed.checkin_schedule == "tue 10:00"
    assert (
        groups.update_group_schedule(session, group_id=999, actor_user_id="ULEAD", admin_ids=ADMINS)
        is None
    )


def test_commitment_for_unknown_group_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        commitments.create_commitment(
            session,
            group_id=42,
            created_by="U1",
            now=T0,
            commitment=CommitmentBase(owner_user_id="U1", title="x", due_date=date(2026, 4, 1)),
        )


@pytest.mark.parametrize("actor", ["UOWNER", "ULEAD", "UADMIN"])
def test_owner_lead_and_admin_may_change_a_commitment(session: Session, actor: str) -> None:
    commitment = make_commitment(session, make_group(session))
    later = T0 + timedelta(days=1)
    changed = commitments.set_commitment_status(
        session,
        commitment_id=commitment.id,
        actor_user_id=actor,
        status=CommitmentStatus.DONE,
        admin_ids=ADMINS,
        now=later,
    )
    assert changed is not None
    assert changed.status == "done" and changed.completed_at == later


def test_anyone_else_is_denied(session: Session) -> None:
    commitment = make_commitment(session, make_group(session))
    with pytest.raises(PermissionDenied, match="owner, the group lead or an admin"):
        commitments.set_commitment_status(
            session,
            commitment_id=commitment.id,
            actor_user_id="UMALLORY",
            status="dropped",
            admin_ids=ADMINS,
            now=T0,
        )
    assert commitments.get_commitment(session, commitment_id=commitment.id).status == "open"
    with pytest.raises(InvalidValue):
        commitments.set_commitment_status(
            session,
            commitment_id=commitment.id,
            actor_user_id="UOWNER",
            status="finished",
            admin_ids=ADMINS,
            now=T0,
        )
    assert (
        commitments.set_commitment_status(
            session, commitment_id=999, actor_user_id="UOWNER", status="done", admin_ids=(), now=T0
        )
        is None
    )


def test_list_filters_overdue_and_group(session: Session) -> None:
    a = make_group(session, name="a")
    b = make_group(session, name="b")
    late = make_commitment(session, a, title="late", due=date(2026, 3, 1))
    make_commitment(session, a, title="fine", due=date(2026, 4, 1))
    make_commitment(session, b, title="other", due=date(2026, 2, 1), owner="U2")
    overdue = commitments.list_commitments(session, group_id=a.id, overdue_on=date(2026, 3, 2))
    assert [c.id for c in overdue] == [late.id]
    assert len(commitments.list_commitments(session, owner_user_id="U2")) == 1
    grouped = commitments.open_commitments_by_group(session)
    assert {k: len(v) for k, v in grouped.items()} == {a.id: 2, b.id: 1}
    only_b = commitments.open_commitments_by_group(session, group_id=b.id)
    assert {k: len(v) for k, v in only_b.items()} == {b.id: 1}
