"""The Slack issue's tables: question log, feedback, processed events, answer threads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from storage import events, questions, threads
from storage.errors import InvalidValue
from storage.models import Feedback
from tests.storage.helpers import T0


def _ask(session: Session, *, at=T0, thread: str | None = "1.0", text: str = "q?"):
    return questions.log_question(
        session,
        asked_at=at,
        user_id="U1",
        surface="mention",
        question=text,
        channel_id="C1",
        thread_ts=thread,
        hit_chunk_ids=["a#1", "b#2"],
        cited_doc_ids=["a"],
        confidence=0.7,
    )


def test_question_is_logged_with_hits(session: Session) -> None:
    row = _ask(session)
    loaded = questions.get_question(session, question_log_id=row.id)
    assert loaded.hit_chunk_ids == ["a#1", "b#2"] and loaded.cited_doc_ids == ["a"]
    assert (
        questions.set_answer_ts(session, question_log_id=row.id, answer_ts="9.9").answer_ts == "9.9"
    )
    with pytest.raises(InvalidValue):
        questions.log_question(session, asked_at=T0, user_id="U", surface="email", question="q")


def test_feedback_one_per_user_later_click_updates(session: Session) -> None:
    row = _ask(session)
    first = questions.record_feedback(
        session, question_log_id=row.id, user_id="U2", helpful=True, now=T0
    )
    later = questions.record_feedback(
        session,
        question_log_id=row.id,
        user_id="U2",
        helpful=False,
        reason="outdated",
        now=T0 + timedelta(minutes=1),
    )
    assert first.id == later.id and later.helpful is False and later.reason == "outdated"
    assert (
        questions.record_feedback(session, question_log_id=999, user_id="U2", helpful=True, now=T0)
        is None
    )


def test_purge_removes_old_questions_and_their_feedback(session: Session) -> None:
    old = _ask(session, at=T0 - timedelta(days=100))
    new = _ask(session, at=T0)
    questions.record_feedback(session, question_log_id=old.id, user_id="U", helpful=True, now=T0)
    assert questions.purge_questions_older_than(session, cutoff=T0 - timedelta(days=90)) == 1
    assert questions.get_question(session, question_log_id=new.id) is not None
    assert session.exec(select(Feedback)).all() == []


def test_questions_in_thread_oldest_first(session: Session) -> None:
    for minute in range(3):
        _ask(session, at=T0 + timedelta(minutes=minute), text=f"q{minute}")
    _ask(session, thread="2.0", text="elsewhere")
    found = questions.questions_in_thread(session, channel_id="C1", thread_ts="1.0", limit=2)
    assert [q.question for q in found] == ["q1", "q2"]


def test_event_claimed_once_and_expires(session: Session) -> None:
    ttl = timedelta(hours=48)
    assert events.claim_event(session, event_id="Ev1", now=T0, ttl=ttl)
    assert not events.claim_event(session, event_id="Ev1", now=T0, ttl=ttl)
    assert events.purge_expired_events(session, now=T0 + timedelta(hours=47)) == 0
    assert events.purge_expired_events(session, now=T0 + timedelta(hours=49)) == 1
    assert events.claim_event(session, event_id="Ev1", now=T0, ttl=ttl)


def test_answer_threads_are_remembered(session: Session) -> None:
    assert not threads.is_answer_thread(session, channel_id="C1", thread_ts="1.0")
    threads.remember_thread(session, channel_id="C1", thread_ts="1.0", now=T0)
    again = threads.remember_thread(
        session, channel_id="C1", thread_ts="1.0", now=T0 + timedelta(hours=1)
    )
    assert again.last_answered_at == T0 + timedelta(hours=1)
    assert threads.is_answer_thread(session, channel_id="C1", thread_ts="1.0")
    assert threads.forget_threads_older_than(session, cutoff=T0 + timedelta(days=1)) == 1
