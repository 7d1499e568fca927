"""The guards: claims under unique keys, one response per check-in, one reminder, one snooze."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session

from storage import checkins
from storage.checkins import ResponseResult
from storage.commitments import get_commitment
from storage.engine import SessionFactory
from storage.errors import InvalidValue, PermissionDenied
from tests.storage.helpers import T0, make_commitment, make_group

ADMINS = ("UADMIN",)


def _claimed(session: Session) -> int:
    commitment = make_commitment(session, make_group(session))
    row = checkins.claim_checkin(
        session, commitment_id=commitment.id, period="2026-03-02T09:00", scheduled_for=T0, now=T0
    )
    assert row is not None and row.id is not None
    return row.id


def test_a_check_in_is_claimed_once_per_period(session: Session) -> None:
    commitment = make_commitment(session, make_group(session))
    kwargs = {"commitment_id": commitment.id, "scheduled_for": T0, "now": T0}
    assert checkins.claim_checkin(session, period="p1", **kwargs) is not None
    assert checkins.claim_checkin(session, period="p1", **kwargs) is None
    assert checkins.claim_checkin(session, period="p2", **kwargs) is not None


def test_escalations_and_digests_are_claimed_once(session: Session) -> None:
    group = make_group(session)
    commitment = make_commitment(session, group)
    assert checkins.claim_escalation(session, commitment_id=commitment.id, period="w", now=T0)
    assert (
        checkins.claim_escalation(session, commitment_id=commitment.id, period="w", now=T0) is None
    )
    digest = checkins.claim_digest(session, group_id=group.id, period="d", now=T0)
    assert digest is not None
    assert checkins.claim_digest(session, group_id=group.id, period="d", now=T0) is None
    checkins.release_claim(session, row=digest)
    assert checkins.claim_digest(session, group_id=group.id, period="d", now=T0) is not None


def test_sent_and_undeliverable_are_recorded(session: Session) -> None:
    checkin_id = _claimed(session)
    sent = checkins.mark_checkin_sent(
        session, checkin_id=checkin_id, sent_at=T0, dm_channel="D1", message_ts="1.1"
    )
    assert sent is not None and sent.message_ts == "1.1"
    failed = checkins.mark_checkin_undeliverable(session, checkin_id=checkin_id, error="x")
    assert failed is not None and failed.delivery_error == "x"
    assert (
        checkins.mark_checkin_sent(
            session, checkin_id=999, sent_at=T0, dm_channel="D", message_ts="1"
        )
        is None
    )


def test_response_recorded_once_and_done_closes_commitment(session: Session) -> None:
    checkin_id = _claimed(session)
    record = {"checkin_id": checkin_id, "actor_user_id": "UOWNER", "admin_ids": ADMINS, "now": T0}
    assert checkins.record_response(session, response="done", **record) is ResponseResult.RECORDED
    again = checkins.record_response(session, response="blocked", **record)
    assert again is ResponseResult.ALREADY_ANSWERED
    session.expire_all()
    row = session.get(checkins.CheckIn, checkin_id)
    assert row.response == "done" and row.responded_by == "UOWNER"
    assert get_commitment(session, commitment_id=row.commitment_id).status == "done"


def test_response_rules(session: Session) -> None:
    checkin_id = _claimed(session)
    base = {"checkin_id": checkin_id, "admin_ids": ADMINS, "now": T0}
    with pytest.raises(PermissionDenied):
        checkins.record_response(session, actor_user_id="UMALLORY", response="done", **base)
    with pytest.raises(InvalidValue):
        checkins.record_response(session, actor_user_id="UOWNER", response="maybe", **base)
    base["checkin_id"] = 999
    missing = checkins.record_response(session, actor_user_id="UOWNER", response="done", **base)
    assert missing is ResponseResult.NOT_FOUND


def test_two_simultaneous_done_clicks_record_one_response(
    session: Session, session_factory: SessionFactory
) -> None:
    checkin_id = _claimed(session)
    barrier = threading.Barrier(2)
    results: list[ResponseResult] = []
    errors: list[BaseException] = []

    def click(note: str) -> None:
        try:
            with session_factory() as own:
                barrier.wait(timeout=10)
                results.append(
                    checkins.record_response(
                        own,
                        checkin_id=checkin_id,
                        actor_user_id="UOWNER",
                        response="done",
                        admin_ids=ADMINS,
                        now=T0,
                        note=note,
                    )
                )
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=click, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == sorted([ResponseResult.RECORDED, ResponseResult.ALREADY_ANSWERED])
    with session_factory() as fresh:
        assert fresh.get(checkins.CheckIn, checkin_id).note in {"first", "second"}


def test_one_reminder_and_one_snooze(session: Session) -> None:
    checkin_id = _claimed(session)
    assert checkins.claim_reminder(session, checkin_id=checkin_id, now=T0)
    assert not checkins.claim_reminder(session, checkin_id=checkin_id, now=T0)
    until = T0 + timedelta(days=1)
    with pytest.raises(PermissionDenied):
        checkins.snooze_checkin(session, checkin_id=checkin_id, actor_user_id="ULEAD", until=until)
    assert checkins.snooze_checkin(
        session, checkin_id=checkin_id, actor_user_id="UOWNER", until=until
    )
    assert not checkins.snooze_checkin(
        session, checkin_id=checkin_id, actor_user_id="UOWNER", until=until
    )
    session.expire_all()
    row = session.get(checkins.CheckIn, checkin_id)
    assert row.snoozed_until == until and row.reminder_sent_at is None  # reminder re-armed
    assert checkins.claim_reminder(session, checkin_id=checkin_id, now=until)
    assert not checkins.snooze_checkin(session, checkin_id=999, actor_user_id="U", until=until)
