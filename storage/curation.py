"""What curators work from: channel scopes, *Ask a person* requests, curator digest claims,
and the question log read back for the report (user IDs only, never names).

Claims follow ``storage.checkins``: a unique key is inserted and committed before the DM;
``None`` means another run already claimed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import ChannelScope, CuratorDigest, Feedback, PersonRequest, QuestionLog
from storage.unique import insert_unique, upsert

# --- channel scope ----------------------------------------------------------------------


def get_channel_scope(session: Session, *, channel_id: str) -> ChannelScope | None:
    """The channel's scope, or ``None`` (the whole library, answers on)."""
    return session.get(ChannelScope, channel_id)


def set_channel_scope(
    session: Session,
    *,
    channel_id: str,
    updated_by: str,
    now: datetime,
    answer: bool | None = None,
    kinds: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    cities: Sequence[str] | None = None,
) -> ChannelScope:
    """Create or change the channel's scope; arguments left ``None`` keep their value."""

    def change(row: ChannelScope) -> None:
        if answer is not None:
            row.answer = answer
        if kinds is not None:
            row.kinds = list(kinds)
        if tags is not None:
            row.tags = list(tags)
        if cities is not None:
            row.cities = list(cities)
        row.updated_by, row.updated_at = updated_by, now

    return upsert(  # two admins creating it at once: the second changes the first's row
        session,
        find=lambda: session.get(ChannelScope, channel_id),
        make=lambda: ChannelScope(channel_id=channel_id, updated_by=updated_by, updated_at=now),
        change=change,
    )


def reset_channel_scope(session: Session, *, channel_id: str) -> bool:
    """Forget the channel's scope; True if it had one."""
    row = session.get(ChannelScope, channel_id)
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def list_channel_scopes(session: Session) -> Sequence[ChannelScope]:
    """Every channel with a scope, by channel id."""
    return session.exec(select(ChannelScope).order_by(col(ChannelScope.channel_id))).all()


# --- Ask a person -----------------------------------------------------------------------


class RecordedRequest(NamedTuple):
    request: PersonRequest
    new: bool  # False: the same person's request about the same answer was already open


def record_person_request(
    session: Session, *, question_log_id: int, user_id: str, now: datetime
) -> RecordedRequest | None:
    """Record an *Ask a person* click: the open request and whether this click made it
    (``new`` is False when the same person's request about the same answer is still open:
    a double click, or two replicas racing, records one). ``None`` if the question is no
    longer in the log."""
    if session.get(QuestionLog, question_log_id) is None:
        return None
    existing = _open_person_request(session, question_log_id, user_id)
    if existing is not None:
        return RecordedRequest(existing, new=False)
    made = insert_unique(
        session, PersonRequest(question_log_id=question_log_id, user_id=user_id, asked_at=now)
    )
    if made is not None:
        return RecordedRequest(made, new=True)
    existing = _open_person_request(session, question_log_id, user_id)  # another click won
    return RecordedRequest(existing, new=False) if existing is not None else None


def _open_person_request(
    session: Session, question_log_id: int, user_id: str
) -> PersonRequest | None:
    return session.exec(
        select(PersonRequest).where(
            col(PersonRequest.question_log_id) == question_log_id,
            col(PersonRequest.user_id) == user_id,
            col(PersonRequest.resolved_at).is_(None),
        )
    ).first()


def resolve_person_request(
    session: Session, *, request_id: int, resolved_by: str, now: datetime
) -> bool:
    """Mark the request handled (one conditional UPDATE); False if it was already, or gone."""
    statement = (
        update(PersonRequest)
        .where(col(PersonRequest.id) == request_id, col(PersonRequest.resolved_at).is_(None))
        .values(resolved_at=now, resolved_by=resolved_by)
    )
    result = session.execute(statement)
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def open_person_requests(
    session: Session, *, since: datetime
) -> Sequence[tuple[PersonRequest, QuestionLog]]:
    """Requests not yet handled, asked at or after ``since``, newest first, with the question."""
    query = (
        select(PersonRequest, QuestionLog)
        .join(QuestionLog, col(QuestionLog.id) == col(PersonRequest.question_log_id))
        .where(col(PersonRequest.resolved_at).is_(None), col(PersonRequest.asked_at) >= since)
        .order_by(col(PersonRequest.asked_at).desc(), col(PersonRequest.id).desc())
    )
    return [(request, question) for request, question in session.exec(query).all()]


# --- the question log, read back --------------------------------------------------------


def questions_since(session: Session, *, since: datetime) -> Sequence[QuestionLog]:
    """Every logged question asked at or after ``since``, oldest first."""
    query = (
        select(QuestionLog)
        .where(col(QuestionLog.asked_at) >= since)
        .order_by(col(QuestionLog.asked_at), col(QuestionLog.id))
    )
    return session.exec(query).all()


def unhelpful_since(session: Session, *, since: datetime) -> Sequence[tuple[Feedback, QuestionLog]]:
    """Answers marked not helpful (asked at or after ``since``), newest verdict first."""
    query = (
        select(Feedback, QuestionLog)
        .join(QuestionLog, col(QuestionLog.id) == col(Feedback.question_log_id))
        .where(col(Feedback.helpful).is_(False), col(QuestionLog.asked_at) >= since)
        .order_by(col(Feedback.updated_at).desc(), col(Feedback.id).desc())
    )
    return [(feedback, question) for feedback, question in session.exec(query).all()]


# --- curator digest claims --------------------------------------------------------------


def claim_curator_digest(
    session: Session, *, user_id: str, period: str, now: datetime
) -> CuratorDigest | None:
    """Claim this period's digest for one curator; ``None`` if already claimed."""
    return insert_unique(session, CuratorDigest(user_id=user_id, period=period, sent_at=now))


def curator_digests_claimed(session: Session, *, period: str) -> set[str]:
    """The curators whose digest (or notice) for ``period`` is claimed already."""
    query = select(CuratorDigest.user_id).where(CuratorDigest.period == period)
    return set(session.exec(query).all())


def release_curator_digest(session: Session, *, digest_id: int) -> None:
    """Drop a claim whose DM failed before it was sent, so the next run retries."""
    row = session.get(CuratorDigest, digest_id)
    if row is not None:
        session.delete(row)
        session.commit()
