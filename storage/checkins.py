"""Check-ins, escalations and digests: claims under unique keys, then state changes.

The send protocol, used by ``bot.followup.send``::

    claim_checkin(...)      -> None if this (commitment, period) was already claimed: stop
    send the DM
    mark_checkin_sent(...)  or  release_claim(...) on a transient failure (retried later)
                            or  mark_checkin_undeliverable(...) when the owner left

Claims commit at once, so call them with a session that has no pending work.
State changes that two people could race on (a response, a snooze, a reminder) are single
conditional ``UPDATE`` statements, so exactly one of two simultaneous clicks wins on both
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.errors import InvalidValue, PermissionDenied
from storage.models import (
    CheckIn,
    CheckInResponse,
    Commitment,
    CommitmentStatus,
    Digest,
    Escalation,
    WorkingGroup,
)
from storage.permissions import require_commitment_change
from storage.unique import insert_unique


class ResponseResult(StrEnum):
    """What happened to a click on a check-in button."""

    RECORDED = "recorded"
    ALREADY_ANSWERED = "already_answered"
    NOT_FOUND = "not_found"


def claim_checkin(
    session: Session, *, commitment_id: int, period: str, scheduled_for: datetime, now: datetime
) -> CheckIn | None:
    """Claim the check-in for (commitment, period); ``None`` if it was already claimed."""
    row = CheckIn(
        commitment_id=commitment_id, period=period, scheduled_for=scheduled_for, claimed_at=now
    )
    return insert_unique(session, row)


def claim_escalation(
    session: Session, *, commitment_id: int, period: str, now: datetime
) -> Escalation | None:
    """Claim the escalation for (commitment, period); ``None`` if already claimed."""
    return insert_unique(
        session, Escalation(commitment_id=commitment_id, period=period, sent_at=now)
    )


def claim_digest(session: Session, *, group_id: int, period: str, now: datetime) -> Digest | None:
    """Claim the digest for (group, period); ``None`` if already claimed."""
    return insert_unique(session, Digest(group_id=group_id, period=period, sent_at=now))


def release_claim(session: Session, *, row: CheckIn | Escalation | Digest) -> None:
    """Delete a claim whose message could not be sent, so a later run tries again.

    A check-in answered meanwhile (an ``/advisor update`` while its DM was on its way) is
    kept: its period is answered and must not be asked again."""
    target = session.get(type(row), row.id)
    if isinstance(target, CheckIn) and target.response is not None:
        return
    if target is not None:
        session.delete(target)
        session.commit()


def mark_checkin_sent(
    session: Session, *, checkin_id: int, sent_at: datetime, dm_channel: str, message_ts: str
) -> CheckIn | None:
    """Record where and when the check-in DM went out."""
    row = session.get(CheckIn, checkin_id)
    if row is None:
        return None
    row.sent_at, row.dm_channel, row.message_ts = sent_at, dm_channel, message_ts
    session.commit()
    return row


def mark_checkin_undeliverable(session: Session, *, checkin_id: int, error: str) -> CheckIn | None:
    """Record that the owner could not be reached (e.g. ``user_not_found``); keeps the claim."""
    row = session.get(CheckIn, checkin_id)
    if row is None:
        return None
    row.delivery_error = error
    session.commit()
    return row


def _conditional_update(session: Session, statement: Any) -> bool:
    result: Any = session.execute(statement)
    session.commit()
    return bool(result.rowcount == 1)


def claim_reminder(session: Session, *, checkin_id: int, now: datetime) -> bool:
    """Mark the one reminder as sent; False if it was sent already or the DM was answered."""
    statement = (
        update(CheckIn)
        .where(col(CheckIn.id) == checkin_id)
        .where(col(CheckIn.reminder_sent_at).is_(None), col(CheckIn.response).is_(None))
        .values(reminder_sent_at=now)
    )
    return _conditional_update(session, statement)


def release_reminder(session: Session, *, checkin_id: int) -> None:
    """Undo ``claim_reminder`` after a failed send, so a later run tries again."""
    statement = update(CheckIn).where(col(CheckIn.id) == checkin_id).values(reminder_sent_at=None)
    _conditional_update(session, statement)


def snooze_checkin(
    session: Session, *, checkin_id: int, actor_user_id: str, until: datetime
) -> bool:
    """Snooze an unanswered check-in once (owner only); the reminder comes at ``until``."""
    row = session.get(CheckIn, checkin_id)
    commitment = session.get(Commitment, row.commitment_id) if row else None
    if commitment is None:
        return False
    if commitment.owner_user_id != actor_user_id:
        raise PermissionDenied("Only the owner can snooze a check-in.", actor_user_id=actor_user_id)
    statement = (
        update(CheckIn)
        .where(col(CheckIn.id) == checkin_id)
        .where(col(CheckIn.snooze_used).is_(False), col(CheckIn.response).is_(None))
        .values(snoozed_until=until, snooze_used=True, reminder_sent_at=None)
    )
    return _conditional_update(session, statement)


def record_response(
    session: Session,
    *,
    checkin_id: int,
    actor_user_id: str,
    response: str,
    admin_ids: Collection[str],
    now: datetime,
    note: str | None = None,
) -> ResponseResult:
    """Record the first answer to a check-in; later or simultaneous ones are refused.

    ``done`` also closes the commitment. Raises ``PermissionDenied`` for anyone but the
    owner, the group lead or an admin.
    """
    if response not in set(CheckInResponse):
        raise InvalidValue(f"unknown check-in response {response!r}")
    checkin = session.get(CheckIn, checkin_id)
    commitment = session.get(Commitment, checkin.commitment_id) if checkin else None
    group = session.get(WorkingGroup, commitment.group_id) if commitment else None
    if checkin is None or commitment is None or group is None:
        return ResponseResult.NOT_FOUND
    require_commitment_change(commitment, group, actor_user_id=actor_user_id, admin_ids=admin_ids)
    session.commit()  # end the read transaction before the racing write
    won: Any = session.execute(
        update(CheckIn)
        .where(col(CheckIn.id) == checkin_id, col(CheckIn.response).is_(None))
        .values(response=response, note=note, responded_by=actor_user_id, responded_at=now)
    )
    if won.rowcount != 1:
        session.rollback()
        return ResponseResult.ALREADY_ANSWERED
    if response == CheckInResponse.DONE:
        session.execute(
            update(Commitment)
            .where(col(Commitment.id) == commitment.id)
            .where(col(Commitment.status) == CommitmentStatus.OPEN.value)
            .values(status=CommitmentStatus.DONE.value, updated_at=now, completed_at=now)
        )
    session.commit()
    return ResponseResult.RECORDED


def checkins_for(
    session: Session, *, commitment_ids: Collection[int], since: datetime | None = None
) -> Sequence[CheckIn]:
    """Check-ins of the given commitments (scheduled at or after ``since``), oldest first."""
    if not commitment_ids:
        return []
    query = select(CheckIn).where(col(CheckIn.commitment_id).in_(list(commitment_ids)))
    if since is not None:
        query = query.where(col(CheckIn.scheduled_for) >= since)
    return session.exec(query.order_by(col(CheckIn.scheduled_for), col(CheckIn.id))).all()


def escalations_for(session: Session, *, commitment_ids: Collection[int]) -> Sequence[Escalation]:
    """Every escalation of the given commitments."""
    if not commitment_ids:
        return []
    query = select(Escalation).where(col(Escalation.commitment_id).in_(list(commitment_ids)))
    return session.exec(query).all()


def digests_for(session: Session, *, group_id: int) -> Sequence[Digest]:
    """Every digest posted for the group."""
    return session.exec(select(Digest).where(Digest.group_id == group_id)).all()
