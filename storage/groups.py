"""Working groups and memberships: keyword-only functions, ``None`` for not-found.

Schedules and timezones are validated by ``checkins.schedule`` before they get here;
storage stores what it is given.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.errors import DuplicateGroup, InvalidValue
from storage.models import MemberRole, Membership, WorkingGroup, WorkingGroupBase, saved_id
from storage.permissions import require_admin, require_group_change


def create_group(session: Session, *, group: WorkingGroupBase, now: datetime) -> WorkingGroup:
    """Insert a group and its lead's membership; raise ``DuplicateGroup`` on a taken name."""
    row = WorkingGroup.model_validate(group, update={"created_at": now})
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise DuplicateGroup(group.name) from error
    session.add(
        Membership(
            group_id=saved_id(row),
            user_id=row.lead_user_id,
            role=MemberRole.LEAD.value,
            joined_at=now,
        )
    )
    session.commit()
    return row


def get_group(session: Session, *, group_id: int) -> WorkingGroup | None:
    """The group with ``group_id``, or ``None``."""
    return session.get(WorkingGroup, group_id)


def get_group_by_name(session: Session, *, name: str) -> WorkingGroup | None:
    """The group called ``name`` (exact match), or ``None``."""
    return session.exec(select(WorkingGroup).where(WorkingGroup.name == name)).first()


def list_groups(session: Session, *, include_archived: bool = False) -> Sequence[WorkingGroup]:
    """All groups, by name; archived ones only when asked."""
    query = select(WorkingGroup).order_by(col(WorkingGroup.name))
    if not include_archived:
        query = query.where(col(WorkingGroup.archived).is_(False))
    return session.exec(query).all()


def schedule_rows(session: Session) -> dict[int, tuple[object, ...]]:
    """Per group id, the columns that decide its scheduling (one cheap query, for polling)."""
    query = sa_select(  # SQLAlchemy's: sqlmodel's select types at most four columns
        col(WorkingGroup.id),
        col(WorkingGroup.timezone),
        col(WorkingGroup.checkin_schedule),
        col(WorkingGroup.digest_schedule),
        col(WorkingGroup.working_days),
        col(WorkingGroup.archived),
    )
    rows = session.connection().execute(query).all()
    return {int(row[0]): tuple(row[1:]) for row in rows if row[0] is not None}


def update_group_schedule(
    session: Session,
    *,
    group_id: int,
    actor_user_id: str,
    admin_ids: Collection[str],
    checkin_schedule: str | None = None,
    digest_schedule: str | None = None,
    timezone: str | None = None,
    working_days: str | None = None,
) -> WorkingGroup | None:
    """Change a group's schedules (lead or admin only); ``None`` if the group is gone."""
    group = session.get(WorkingGroup, group_id)
    if group is None:
        return None
    require_group_change(group, actor_user_id=actor_user_id, admin_ids=admin_ids)
    changes = {
        "checkin_schedule": checkin_schedule,
        "digest_schedule": digest_schedule,
        "timezone": timezone,
        "working_days": working_days,
    }
    for field, value in changes.items():
        if value is not None:
            setattr(group, field, value)
    session.commit()
    return group


def delete_group(
    session: Session, *, group_id: int, actor_user_id: str, admin_ids: Collection[str]
) -> bool:
    """Delete a group with its commitments and history (admins only); False if absent."""
    require_admin(actor_user_id=actor_user_id, admin_ids=admin_ids, action="delete groups")
    group = session.get(WorkingGroup, group_id)
    if group is None:
        return False
    session.delete(group)
    session.commit()
    return True


def mark_channel_problem(
    session: Session, *, group_id: int, error: str | None, now: datetime
) -> WorkingGroup | None:
    """Record (or clear, with ``error=None``) why the group's channel cannot be posted to."""
    group = session.get(WorkingGroup, group_id)
    if group is None:
        return None
    group.channel_error = error
    group.channel_error_at = now if error else None
    session.commit()
    return group


def add_member(
    session: Session, *, group_id: int, user_id: str, now: datetime, role: str = "member"
) -> Membership:
    """Add ``user_id`` to the group (idempotent: an existing membership is returned)."""
    if role not in set(MemberRole):
        raise InvalidValue(f"unknown role {role!r}")
    existing = get_membership(session, group_id=group_id, user_id=user_id)
    if existing is not None:
        return existing
    row = Membership(group_id=group_id, user_id=user_id, role=role, joined_at=now)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        found = get_membership(session, group_id=group_id, user_id=user_id)
        assert found is not None
        return found
    return row


def get_membership(session: Session, *, group_id: int, user_id: str) -> Membership | None:
    """The membership of ``user_id`` in the group, or ``None``."""
    query = select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    return session.exec(query).first()


def remove_member(session: Session, *, group_id: int, user_id: str) -> bool:
    """Remove ``user_id`` from the group; False if they were not a member."""
    row = get_membership(session, group_id=group_id, user_id=user_id)
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def list_members(session: Session, *, group_id: int) -> Sequence[Membership]:
    """The group's memberships, lead first."""
    query = select(Membership).where(Membership.group_id == group_id)
    return session.exec(query.order_by(col(Membership.role), col(Membership.user_id))).all()


def list_groups_of_user(session: Session, *, user_id: str) -> Sequence[WorkingGroup]:
    """The active groups ``user_id`` leads or is a member of, by name."""
    query = (
        select(WorkingGroup)
        .join(Membership, col(Membership.group_id) == col(WorkingGroup.id))
        .where(Membership.user_id == user_id, col(WorkingGroup.archived).is_(False))
        .order_by(col(WorkingGroup.name))
    )
    return session.exec(query).all()
