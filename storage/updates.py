"""Status updates given outside the check-in DM (``/advisor update``), and how the next
check-in counts one instead of asking (issue 14).

* ``record_update`` stores the update; an unanswered check-in of the *current* period (the
  caller's ``current_period``, from the group's schedule at the injected clock) that was
  already claimed, its DM sent or on its way, is answered by it at once (one conditional
  ``UPDATE``, so a simultaneous click and update cannot both win), so no reminder follows.
  A check-in of an earlier period is stale and is left alone.
* Otherwise the update waits. The next check-in of the commitment is then claimed already
  answered: ``claim_checkin_or_count`` (the send path) claims the period and, in the same
  transaction, counts a pending update instead of letting the DM go out; ``count_update``
  does the same for a check-in planned as counted. The claim under
  ``UNIQUE(commitment_id, period)`` and the link from the update to that check-in commit
  together, so the update is counted exactly once and that period is not asked about again;
  the period after it asks as usual.

Every writer here first locks the commitment's row (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite serializes writers anyway), so an update and a check-in claim of the same commitment
are ordered: the update lands first and the claim counts it, or the claim lands first and
the update answers the claimed check-in. Never both, and never neither.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.errors import InvalidValue
from storage.models import (
    CheckIn,
    CheckInResponse,
    Commitment,
    CommitmentStatus,
    StatusUpdate,
    WorkingGroup,
    saved_id,
)
from storage.permissions import require_commitment_change


def record_update(
    session: Session,
    *,
    commitment_id: int,
    actor_user_id: str,
    admin_ids: Collection[str],
    status: str,
    note: str | None,
    now: datetime,
    current_period: str | None,
) -> StatusUpdate | None:
    """Store a status for an open commitment; ``None`` if it does not exist.

    ``current_period`` is the period key of the check-in outstanding now
    (``checkins.due.current_checkin_period``); ``None`` when the group has none.

    Raises ``PermissionDenied`` (owner, lead or admin only) and ``InvalidValue`` (unknown
    status, or the commitment is closed). ``done`` closes the commitment.
    """
    if status not in set(CheckInResponse):
        raise InvalidValue(f"unknown status {status!r}")
    commitment = lock_commitment(session, commitment_id)
    group = session.get(WorkingGroup, commitment.group_id) if commitment else None
    if commitment is None or group is None:
        return None
    require_commitment_change(commitment, group, actor_user_id=actor_user_id, admin_ids=admin_ids)
    if commitment.status != CommitmentStatus.OPEN:
        raise InvalidValue(f"commitment #{commitment_id} is already {commitment.status}")
    row = StatusUpdate(
        commitment_id=commitment_id, user_id=actor_user_id, status=status, note=note, created_at=now
    )
    session.add(row)
    session.flush()
    waiting = _unanswered_checkin(session, commitment_id, current_period)
    if waiting is not None:
        answered: Any = session.execute(
            update(CheckIn)
            .where(col(CheckIn.id) == waiting.id, col(CheckIn.response).is_(None))
            .values(response=status, note=note, responded_by=actor_user_id, responded_at=now)
        )
        if answered.rowcount == 1:
            row.checkin_id = waiting.id
    if status == CheckInResponse.DONE:
        commitment.status, commitment.completed_at = CommitmentStatus.DONE.value, now
    commitment.updated_at = now
    session.commit()
    return row


def lock_commitment(session: Session, commitment_id: int) -> Commitment | None:
    """The commitment, its row locked until commit (PostgreSQL; SQLite has no row locks and
    serializes writers instead), so updates and check-in claims of it are ordered."""
    query = (
        select(Commitment)
        .where(col(Commitment.id) == commitment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(query).first()


def _unanswered_checkin(session: Session, commitment_id: int, period: str | None) -> CheckIn | None:
    """The commitment's check-in of ``period`` if it was claimed (its DM sent or on its way)
    and nobody answered it yet."""
    if period is None:
        return None
    query = select(CheckIn).where(
        CheckIn.commitment_id == commitment_id,
        CheckIn.period == period,
        col(CheckIn.response).is_(None),
    )
    return session.exec(query).first()


def pending_updates(
    session: Session, *, commitment_ids: Collection[int]
) -> dict[int, StatusUpdate]:
    """Per commitment, its latest update no check-in has counted yet."""
    if not commitment_ids:
        return {}
    query = (
        select(StatusUpdate)
        .where(col(StatusUpdate.commitment_id).in_(list(commitment_ids)))
        .where(col(StatusUpdate.checkin_id).is_(None))
        .order_by(col(StatusUpdate.created_at), col(StatusUpdate.id))
    )
    return {row.commitment_id: row for row in session.exec(query).all()}


def count_update(
    session: Session,
    *,
    update_id: int,
    period: str,
    scheduled_for: datetime,
    now: datetime,
) -> CheckIn | None:
    """Claim the (commitment, period) check-in already answered by the pending update, and
    link every pending update of the commitment to it, in one commit. ``None`` when the
    period was claimed already or the update was counted by someone else."""
    pending = session.get(StatusUpdate, update_id)
    if pending is None or pending.checkin_id is not None:
        return None
    lock_commitment(session, pending.commitment_id)
    session.refresh(pending)
    if pending.checkin_id is not None:
        session.rollback()
        return None
    checkin = CheckIn(
        commitment_id=pending.commitment_id,
        period=period,
        scheduled_for=scheduled_for,
        claimed_at=now,
        response=pending.status,
        note=pending.note,
        responded_by=pending.user_id,
        responded_at=pending.created_at,
    )
    if not _flushed(session, checkin):
        return None
    linked: Any = session.execute(
        update(StatusUpdate)
        .where(col(StatusUpdate.commitment_id) == pending.commitment_id)
        .where(col(StatusUpdate.checkin_id).is_(None), col(StatusUpdate.id) <= update_id)
        .values(checkin_id=saved_id(checkin))
    )
    if linked.rowcount < 1:
        session.rollback()
        return None
    session.commit()
    return checkin


def claim_checkin_or_count(
    session: Session, *, commitment_id: int, period: str, scheduled_for: datetime, now: datetime
) -> tuple[CheckIn, bool] | None:
    """Claim the (commitment, period) check-in for the send path; ``None`` if it was claimed
    already. ``(row, True)`` when an update nobody counted yet was found under the same lock
    and commit: the row is then answered by it and every pending update linked to it, and no
    DM may be sent. ``(row, False)``: the claim is the caller's, to send the DM."""
    lock_commitment(session, commitment_id)
    checkin = CheckIn(
        commitment_id=commitment_id, period=period, scheduled_for=scheduled_for, claimed_at=now
    )
    if not _flushed(session, checkin):
        return None
    latest = pending_updates(session, commitment_ids=[commitment_id]).get(commitment_id)
    if latest is not None:
        checkin.response, checkin.note = latest.status, latest.note
        checkin.responded_by, checkin.responded_at = latest.user_id, latest.created_at
        session.flush()
        session.execute(
            update(StatusUpdate)
            .where(col(StatusUpdate.commitment_id) == commitment_id)
            .where(col(StatusUpdate.checkin_id).is_(None), col(StatusUpdate.id) <= latest.id)
            .values(checkin_id=saved_id(checkin))
        )
    session.commit()
    return checkin, latest is not None


def updates_for(session: Session, *, commitment_ids: Collection[int]) -> Sequence[StatusUpdate]:
    """Every update of the given commitments, oldest first."""
    if not commitment_ids:
        return []
    query = (
        select(StatusUpdate)
        .where(col(StatusUpdate.commitment_id).in_(list(commitment_ids)))
        .order_by(col(StatusUpdate.created_at), col(StatusUpdate.id))
    )
    return session.exec(query).all()


def _flushed(session: Session, row: Any) -> bool:
    """Add and flush ``row``; ``False`` (rolled back) if a unique key says it exists."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True
