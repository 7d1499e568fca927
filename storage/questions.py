"""The question log and its feedback (user IDs only; question text never goes to logs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.errors import InvalidValue
from storage.models import Feedback, PersonRequest, QuestionLog, Surface


def log_question(
    session: Session,
    *,
    asked_at: datetime,
    user_id: str,
    surface: str,
    question: str,
    channel_id: str | None = None,
    thread_ts: str | None = None,
    abstained: bool = False,
    confidence: float | None = None,
    hit_chunk_ids: Sequence[str] = (),
    cited_doc_ids: Sequence[str] = (),
    answer_ts: str | None = None,
    cited_sections: Sequence[str] = (),
) -> QuestionLog:
    """Store one question and what retrieval found for it."""
    if surface not in set(Surface):
        raise InvalidValue(f"unknown surface {surface!r}")
    row = QuestionLog(
        asked_at=asked_at,
        user_id=user_id,
        channel_id=channel_id,
        thread_ts=thread_ts,
        surface=surface,
        question=question,
        abstained=abstained,
        confidence=confidence,
        hit_chunk_ids=list(hit_chunk_ids),
        cited_doc_ids=list(cited_doc_ids),
        answer_ts=answer_ts,
        cited_sections=list(cited_sections),
    )
    session.add(row)
    session.commit()
    return row


def get_question(session: Session, *, question_log_id: int) -> QuestionLog | None:
    """The logged question, or ``None``."""
    return session.get(QuestionLog, question_log_id)


def set_answer_ts(session: Session, *, question_log_id: int, answer_ts: str) -> QuestionLog | None:
    """Record the ``ts`` of the posted answer message."""
    row = session.get(QuestionLog, question_log_id)
    if row is None:
        return None
    row.answer_ts = answer_ts
    session.commit()
    return row


def record_feedback(
    session: Session,
    *,
    question_log_id: int,
    user_id: str,
    helpful: bool,
    now: datetime,
    reason: str | None = None,
) -> Feedback | None:
    """Store a user's verdict on an answer; a later click updates it. ``None`` if no question."""
    if session.get(QuestionLog, question_log_id) is None:
        return None
    for _attempt in range(2):
        row = _feedback_of(session, question_log_id=question_log_id, user_id=user_id)
        if row is None:
            row = Feedback(
                question_log_id=question_log_id,
                user_id=user_id,
                helpful=helpful,
                reason=reason,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
        else:
            row.helpful, row.updated_at = helpful, now
            row.reason = reason if reason is not None else row.reason
        try:
            session.commit()
            return row
        except IntegrityError:  # a simultaneous first click won; update theirs
            session.rollback()
    return None


def _feedback_of(session: Session, *, question_log_id: int, user_id: str) -> Feedback | None:
    query = select(Feedback).where(
        Feedback.question_log_id == question_log_id, Feedback.user_id == user_id
    )
    return session.exec(query).first()


def purge_questions_older_than(session: Session, *, cutoff: datetime) -> int:
    """Delete questions asked before ``cutoff`` (their feedback goes too); return the count."""
    old_ids = select(QuestionLog.id).where(col(QuestionLog.asked_at) < cutoff)
    session.execute(delete(Feedback).where(col(Feedback.question_log_id).in_(old_ids)))
    session.execute(delete(PersonRequest).where(col(PersonRequest.question_log_id).in_(old_ids)))
    result = session.execute(delete(QuestionLog).where(col(QuestionLog.asked_at) < cutoff))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def questions_in_thread(
    session: Session, *, channel_id: str, thread_ts: str, limit: int = 10
) -> Sequence[QuestionLog]:
    """The thread's most recent questions (up to ``limit``), oldest first, for context."""
    query = (
        select(QuestionLog)
        .where(QuestionLog.channel_id == channel_id, QuestionLog.thread_ts == thread_ts)
        .order_by(col(QuestionLog.asked_at).desc(), col(QuestionLog.id).desc())
        .limit(limit)
    )
    return list(reversed(session.exec(query).all()))
