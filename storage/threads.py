"""Threads where the bot has answered: follow-ups there need no re-tag, across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import AnswerThread


def _find(session: Session, *, channel_id: str, thread_ts: str) -> AnswerThread | None:
    query = select(AnswerThread).where(
        AnswerThread.channel_id == channel_id, AnswerThread.thread_ts == thread_ts
    )
    return session.exec(query).first()


def remember_thread(
    session: Session, *, channel_id: str, thread_ts: str, now: datetime
) -> AnswerThread:
    """Record (or refresh) that the bot answered in this thread."""
    for _attempt in range(2):
        row = _find(session, channel_id=channel_id, thread_ts=thread_ts)
        if row is None:
            row = AnswerThread(
                channel_id=channel_id, thread_ts=thread_ts, created_at=now, last_answered_at=now
            )
            session.add(row)
        else:
            row.last_answered_at = max(row.last_answered_at, now)
        try:
            session.commit()
            return row
        except IntegrityError:  # another worker remembered it first
            session.rollback()
    raise AssertionError("unreachable: the second attempt finds the row")


def is_answer_thread(session: Session, *, channel_id: str, thread_ts: str) -> bool:
    """Whether the bot has answered in this thread."""
    return _find(session, channel_id=channel_id, thread_ts=thread_ts) is not None


def forget_threads_older_than(session: Session, *, cutoff: datetime) -> int:
    """Delete threads last answered before ``cutoff``; return how many went."""
    statement = delete(AnswerThread).where(col(AnswerThread.last_answered_at) < cutoff)
    result = session.execute(statement)
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
