"""Channel scopes, Ask-a-person requests, curator digest claims and the question log read
back for the curators' report, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.curation import (
    claim_curator_digest,
    get_channel_scope,
    list_channel_scopes,
    open_person_requests,
    questions_since,
    record_person_request,
    release_curator_digest,
    reset_channel_scope,
    resolve_person_request,
    set_channel_scope,
    unhelpful_since,
)
from storage.models import PersonRequest
from storage.questions import log_question, purge_questions_older_than, record_feedback
from tests.storage.helpers import T0


def ask(session: Session, text: str, *, at=T0, abstained: bool = False) -> int:  # type: ignore[no-untyped-def]
    row = log_question(
        session,
        asked_at=at,
        user_id="UASKER01",
        surface="mention",
        question=text,
        abstained=abstained,
        cited_doc_ids=["retention"],
        cited_sections=["retention#Setting the default"],
    )
    assert row.id is not None
    return row.id


def test_a_channel_scope_is_set_piecewise_listed_and_reset(session: Session) -> None:
    set_channel_scope(session, channel_id="CPOLICE01", updated_by="UADMIN001", now=T0, tags=["a"])
    row = set_channel_scope(
        session,
        channel_id="CPOLICE01",
        updated_by="UADMIN002",
        now=T0 + timedelta(hours=1),
        kinds=["case-note"],
        answer=False,
    )
    assert (row.tags, row.kinds, row.cities, row.answer) == (["a"], ["case-note"], [], False)
    assert row.updated_by == "UADMIN002" and row.updated_at == T0 + timedelta(hours=1)
    set_channel_scope(session, channel_id="CARTS0001", updated_by="UADMIN001", now=T0)
    assert [r.channel_id for r in list_channel_scopes(session)] == ["CARTS0001", "CPOLICE01"]
    assert reset_channel_scope(session, channel_id="CPOLICE01") is True
    assert reset_channel_scope(session, channel_id="CPOLICE01") is False
    assert get_channel_scope(session, channel_id="CPOLICE01") is None


def test_person_requests_stay_open_until_handled_once(session: Session) -> None:
    first = ask(session, "who approves a hold?")
    recorded = record_person_request(session, question_log_id=first, user_id="UASKER01", now=T0)
    assert recorded is not None
    request = recorded.request
    assert recorded.new and request.id is not None
    assert record_person_request(session, question_log_id=999, user_id="U1", now=T0) is None
    [(open_request, question)] = open_person_requests(session, since=T0 - timedelta(days=1))
    assert open_request.id == request.id and question.question == "who approves a hold?"
    assert resolve_person_request(session, request_id=request.id, resolved_by="UCUR1", now=T0)
    assert not resolve_person_request(session, request_id=request.id, resolved_by="UCUR2", now=T0)
    assert open_person_requests(session, since=T0 - timedelta(days=1)) == []


def test_a_second_click_finds_the_open_request_and_a_handled_one_can_be_asked_again(
    session: Session,
) -> None:
    question = ask(session, "who approves a hold?")
    first = record_person_request(session, question_log_id=question, user_id="U1", now=T0)
    again = record_person_request(session, question_log_id=question, user_id="U1", now=T0)
    other = record_person_request(session, question_log_id=question, user_id="U2", now=T0)
    assert first is not None and again is not None and other is not None
    assert first.new and not again.new and other.new
    assert again.request.id == first.request.id and other.request.id != first.request.id
    assert len(session.exec(select(PersonRequest)).all()) == 2
    assert first.request.id is not None
    resolve_person_request(session, request_id=first.request.id, resolved_by="UCUR1", now=T0)
    later = record_person_request(session, question_log_id=question, user_id="U1", now=T0)
    assert later is not None and later.new and later.request.id != first.request.id


def test_the_database_itself_refuses_a_second_open_request(session: Session) -> None:
    """Two replicas that both miss the other's row: the partial unique index decides."""
    question = ask(session, "who approves a hold?")
    session.add(PersonRequest(question_log_id=question, user_id="U1", asked_at=T0))
    session.commit()
    session.add(PersonRequest(question_log_id=question, user_id="U1", asked_at=T0))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(PersonRequest(question_log_id=question, user_id="U1", asked_at=T0, resolved_at=T0))
    session.commit()  # handled requests are history: any number of them


def test_purging_old_questions_takes_their_requests_along(session: Session) -> None:
    old = ask(session, "old", at=T0 - timedelta(days=100))
    new = ask(session, "new")
    for question_id in (old, new):
        record_person_request(session, question_log_id=question_id, user_id="U1", now=T0)
    assert purge_questions_older_than(session, cutoff=T0 - timedelta(days=90)) == 1
    left = session.exec(select(PersonRequest)).all()
    assert [r.question_log_id for r in left] == [new]


def test_the_log_is_read_back_from_a_date(session: Session) -> None:
    ask(session, "too old", at=T0 - timedelta(days=40), abstained=True)
    kept = ask(session, "recent", at=T0 - timedelta(days=3))
    record_feedback(session, question_log_id=kept, user_id="U2", helpful=False, now=T0, reason="x")
    [row] = questions_since(session, since=T0 - timedelta(days=30))
    assert row.question == "recent" and row.cited_sections == ["retention#Setting the default"]
    [(feedback, question)] = unhelpful_since(session, since=T0 - timedelta(days=30))
    assert (feedback.reason, question.id) == ("x", kept)


def test_a_curator_digest_is_claimed_once_per_period_and_can_be_released(
    session: Session,
) -> None:
    row = claim_curator_digest(session, user_id="UCUR1", period="2026-03-02T08:00", now=T0)
    assert row is not None and row.id is not None
    assert claim_curator_digest(session, user_id="UCUR1", period="2026-03-02T08:00", now=T0) is None
    assert claim_curator_digest(session, user_id="UCUR2", period="2026-03-02T08:00", now=T0)
    release_curator_digest(session, digest_id=row.id)
    assert claim_curator_digest(session, user_id="UCUR1", period="2026-03-02T08:00", now=T0)
