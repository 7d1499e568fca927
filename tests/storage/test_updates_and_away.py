"""Status updates counted by exactly one check-in, away periods, roles and topics (issue 14),
on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from storage.away import away_periods, clear_away, set_away
from storage.checkins import release_claim
from storage.engine import SessionFactory
from storage.errors import InvalidValue, PermissionDenied
from storage.models import CheckIn, StatusUpdate, saved_id
from storage.roles import set_group_topic, set_member_stakeholder
from storage.updates import (
    claim_checkin_or_count,
    count_update,
    lock_commitment,
    pending_updates,
    record_update,
)
from tests.storage.helpers import T0, make_commitment, make_group

MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_an_update_is_counted_by_one_checkin_only(session: Session) -> None:
    group = make_group(session)
    commitment = make_commitment(session, group)
    assert commitment.id is not None
    first = record_update(
        session,
        commitment_id=commitment.id,
        actor_user_id="UOWNER",
        admin_ids=(),
        status="at_risk",
        note="vendor is late",
        now=T0,
        current_period=None,
    )
    later = record_update(
        session,
        commitment_id=commitment.id,
        actor_user_id="UOWNER",
        admin_ids=(),
        status="blocked",
        note=None,
        now=T0 + timedelta(hours=1),
        current_period=None,
    )
    assert first is not None and later is not None and later.id is not None
    assert pending_updates(session, commitment_ids=[commitment.id])[commitment.id].id == later.id
    counted = count_update(
        session, update_id=later.id, period="2026-03-09T09:00", scheduled_for=MONDAY, now=MONDAY
    )
    assert counted is not None and counted.response == "blocked"
    # Both pending updates are now counted: the next period has nothing to count.
    assert pending_updates(session, commitment_ids=[commitment.id]) == {}
    again = count_update(
        session, update_id=later.id, period="2026-03-16T09:00", scheduled_for=MONDAY, now=MONDAY
    )
    assert again is None


def test_a_period_already_claimed_is_not_counted_again(session: Session) -> None:
    group = make_group(session)
    commitment = make_commitment(session, group)
    assert commitment.id is not None
    ids = []
    for note in ("one", "two"):
        row = record_update(
            session,
            commitment_id=commitment.id,
            actor_user_id="UOWNER",
            admin_ids=(),
            status="on_track",
            note=note,
            now=T0,
            current_period=None,
        )
        assert row is not None and row.id is not None
        ids.append(row.id)
    period = {"period": "2026-03-09T09:00", "scheduled_for": MONDAY, "now": MONDAY}
    assert count_update(session, update_id=ids[0], **period) is not None  # type: ignore[arg-type]
    assert count_update(session, update_id=ids[1], **period) is None  # type: ignore[arg-type]
    assert set(pending_updates(session, commitment_ids=[commitment.id])) == {commitment.id}


def test_updates_check_permission_status_and_closed_commitments(session: Session) -> None:
    group = make_group(session)
    commitment = make_commitment(session, group)
    assert commitment.id is not None
    common = {
        "commitment_id": commitment.id,
        "admin_ids": (),
        "note": None,
        "now": T0,
        "current_period": None,
    }
    with pytest.raises(PermissionDenied):
        record_update(session, actor_user_id="USTRANGER", status="done", **common)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        record_update(session, actor_user_id="UOWNER", status="fine", **common)  # type: ignore[arg-type]
    record_update(session, actor_user_id="UOWNER", status="done", **common)  # type: ignore[arg-type]
    session.refresh(commitment)
    assert commitment.status == "done"
    with pytest.raises(InvalidValue):
        record_update(session, actor_user_id="UOWNER", status="on_track", **common)  # type: ignore[arg-type]


def test_away_periods_replace_and_end(session: Session) -> None:
    back = datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
    set_away(session, user_id="U1", until=date(2026, 3, 1), timezone="UTC", back_at=T0, now=T0)
    set_away(
        session,
        user_id="U1",
        until=date(2026, 3, 8),
        timezone="America/New_York",
        back_at=back,
        now=T0,
    )
    (period,) = away_periods(session, at=T0).values()
    assert (period.until, period.timezone, period.back_at) == (
        date(2026, 3, 8),
        "America/New_York",
        back,
    )
    assert away_periods(session, at=back) == {}  # back: no longer away
    assert clear_away(session, user_id="U1") and not clear_away(session, user_id="U1")


def test_roles_and_topics_are_set_by_whom_they_may_be(session: Session) -> None:
    group = make_group(session, lead="ULEAD")
    assert group.id is not None
    with pytest.raises(PermissionDenied):
        set_group_topic(session, group_id=group.id, topic="x", actor_user_id="UX", admin_ids=())
    changed = set_group_topic(
        session,
        group_id=group.id,
        topic="camera footage retention",
        actor_user_id="UADMIN",
        admin_ids=("UADMIN",),
    )
    assert changed is not None and changed.topic == "camera footage retention"
    role = {"group_id": group.id, "stakeholder": "police", "admin_ids": (), "now": T0}
    mine = set_member_stakeholder(session, user_id="UPD", actor_user_id="UPD", **role)  # type: ignore[arg-type]
    assert mine is not None and (mine.role, mine.stakeholder) == ("member", "police")
    with pytest.raises(PermissionDenied):
        set_member_stakeholder(session, user_id="UOTHER", actor_user_id="UPD", **role)  # type: ignore[arg-type]
    by_lead = set_member_stakeholder(session, user_id="UOTHER", actor_user_id="ULEAD", **role)  # type: ignore[arg-type]
    assert by_lead is not None and by_lead.stakeholder == "police"


def test_the_send_claim_counts_a_pending_update_and_a_failed_send_keeps_an_answer(
    session: Session,
) -> None:
    """``claim_checkin_or_count``: with an update pending the claimed period is answered by
    it (no DM); without one the claim is the sender's, and an update of that period landing
    before the DM is recorded answers it, so releasing the claim after a failed send keeps
    the answer instead of asking the period again."""
    group = make_group(session)
    first = make_commitment(session, group, title="one")
    second = make_commitment(session, group, title="two")
    assert first.id is not None and second.id is not None
    period = {"period": "2026-03-09T09:00", "scheduled_for": MONDAY, "now": MONDAY}
    base = {"admin_ids": (), "note": "late", "actor_user_id": "UOWNER", "status": "at_risk"}
    update = record_update(
        session,
        commitment_id=first.id,
        now=T0,
        current_period=None,
        **base,  # type: ignore[arg-type]
    )
    assert update is not None and update.checkin_id is None
    claimed = claim_checkin_or_count(session, commitment_id=first.id, **period)  # type: ignore[arg-type]
    assert claimed is not None
    row, counted = claimed
    assert counted and (row.response, row.note, row.sent_at) == ("at_risk", "late", None)
    assert pending_updates(session, commitment_ids=[first.id]) == {}
    assert claim_checkin_or_count(session, commitment_id=first.id, **period) is None  # type: ignore[arg-type]

    claimed = claim_checkin_or_count(session, commitment_id=second.id, **period)  # type: ignore[arg-type]
    assert claimed is not None and claimed[1] is False
    answer = record_update(
        session,
        commitment_id=second.id,
        now=MONDAY,
        current_period="2026-03-09T09:00",
        **base,  # type: ignore[arg-type]
    )
    assert answer is not None and answer.checkin_id == claimed[0].id
    release_claim(session, row=claimed[0])
    kept = session.get(CheckIn, claimed[0].id)
    assert kept is not None and kept.response == "at_risk"


def test_an_update_racing_an_open_claim_waits_for_it_then_answers_it(
    session_factory: SessionFactory,
) -> None:
    """A claim holds the commitment's lock (row lock on PostgreSQL, the write lock on
    SQLite) until it commits; an update recorded meanwhile from another connection waits,
    then sees the claimed check-in and answers it. Without the lock the update would miss
    the uncommitted claim and stay pending, to skip the next period with a stale status."""
    with session_factory() as setup:
        group = make_group(setup)
        commitment = make_commitment(setup, group)
        commitment_id = saved_id(commitment)
    results: list[StatusUpdate | None] = []

    def update_from_elsewhere() -> None:
        with session_factory() as other:
            results.append(
                record_update(
                    other,
                    commitment_id=commitment_id,
                    actor_user_id="UOWNER",
                    admin_ids=(),
                    status="blocked",
                    note=None,
                    now=MONDAY,
                    current_period="2026-03-09T09:00",
                )
            )

    with session_factory() as claiming:
        locked = lock_commitment(claiming, commitment_id)
        assert locked is not None
        row = CheckIn(
            commitment_id=commitment_id,
            period="2026-03-09T09:00",
            scheduled_for=MONDAY,
            claimed_at=MONDAY,
        )
        claiming.add(row)
        claiming.flush()
        worker = threading.Thread(target=update_from_elsewhere)
        worker.start()
        worker.join(timeout=0.5)  # it runs into the lock; the claim commits while it waits
        claiming.commit()
        claimed_id = row.id
    worker.join(timeout=10)
    assert not worker.is_alive()
    (update,) = results
    assert update is not None and update.checkin_id == claimed_id
    with session_factory() as check:
        answered = check.get(CheckIn, claimed_id)
        assert answered is not None and answered.response == "blocked"
