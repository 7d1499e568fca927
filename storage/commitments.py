"""Commitments: create, find, list and change status (owner, lead or admin only)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.errors import InvalidValue, NotFound
from storage.models import Commitment, CommitmentBase, CommitmentStatus, WorkingGroup
from storage.permissions import require_commitment_change


def create_commitment(
    session: Session,
    *,
    group_id: int,
    commitment: CommitmentBase,
    created_by: str,
    now: datetime,
    question_log_id: int | None = None,
) -> Commitment:
    """Insert an open commitment in the group; raise ``NotFound`` for an unknown group."""
    if session.get(WorkingGroup, group_id) is None:
        raise NotFound(f"no working group with id {group_id}")
    row = Commitment.model_validate(
        commitment,
        update={
            "group_id": group_id,
            "created_by": created_by,
            "question_log_id": question_log_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    session.add(row)
    session.commit()
    return row


def get_commitment(session: Session, *, commitment_id: int) -> Commitment | None:
    """The commitment with ``commitment_id``, or ``None``."""
    return session.get(Commitment, commitment_id)


def list_commitments(
    session: Session,
    *,
    group_id: int | None = None,
    owner_user_id: str | None = None,
    status: str | None = None,
    overdue_on: date | None = None,
) -> Sequence[Commitment]:
    """Commitments by due date, filtered; ``overdue_on`` keeps open ones due before it."""
    query = select(Commitment)
    if group_id is not None:
        query = query.where(Commitment.group_id == group_id)
    if owner_user_id is not None:
        query = query.where(Commitment.owner_user_id == owner_user_id)
    if status is not None:
        query = query.where(Commitment.status == status)
    if overdue_on is not None:
        query = query.where(
            Commitment.status == CommitmentStatus.OPEN.value, col(Commitment.due_date) < overdue_on
        )
    return session.exec(query.order_by(col(Commitment.due_date), col(Commitment.id))).all()


def open_commitments_by_group(
    session: Session, *, group_id: int | None = None
) -> dict[int, list[Commitment]]:
    """Open commitments (of one group, or all), grouped by group id (what the scheduler reads)."""
    rows = list_commitments(session, group_id=group_id, status=CommitmentStatus.OPEN.value)
    grouped: dict[int, list[Commitment]] = {}
    for row in rows:
        grouped.setdefault(row.group_id, []).append(row)
    return grouped


def set_commitment_status(
    session: Session,
    *,
    commitment_id: int,
    actor_user_id: str,
    status: str,
    admin_ids: Collection[str],
    now: datetime,
) -> Commitment | None:
    """Set a commitment's status; raise ``PermissionDenied`` for anyone but owner/lead/admin.

    Returns ``None`` when the commitment does not exist.
    """
    if status not in set(CommitmentStatus):
        raise InvalidValue(f"unknown commitment status {status!r}")
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        return None
    group = session.get(WorkingGroup, commitment.group_id)
    assert group is not None  # foreign key
    require_commitment_change(commitment, group, actor_user_id=actor_user_id, admin_ids=admin_ids)
    commitment.status = status
    commitment.updated_at = now
    commitment.completed_at = now if status == CommitmentStatus.DONE else None
    session.commit()
    return commitment
