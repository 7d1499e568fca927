"""What is due: check-ins within grace, one reminder, escalations once a week, digests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from checkins.due import (
    DuePolicy,
    current_checkin_period,
    due_checkins,
    due_digest,
    due_escalations,
    due_reminders,
)
from storage.models import Digest, Escalation
from tests.checkins.builders import checkin, commitment, group

MONDAY_9_LA = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # 09:00 PDT
GRACE = timedelta(hours=6)


def test_checkins_due_at_the_fire_for_open_commitments_only() -> None:
    items = [commitment(1), commitment(2, status="done"), commitment(3, group_id=2)]
    due = due_checkins(now=MONDAY_9_LA, group=group(), commitments=items, history=[], grace=GRACE)
    assert [(d.commitment_id, d.period, d.scheduled_for) for d in due] == [
        (1, "2026-03-09T09:00", MONDAY_9_LA)
    ]


def test_three_hours_late_still_due_once_then_never_again() -> None:
    later = MONDAY_9_LA + timedelta(hours=3)
    due = due_checkins(
        now=later, group=group(), commitments=[commitment(1)], history=[], grace=GRACE
    )
    assert len(due) == 1 and due[0].scheduled_for == MONDAY_9_LA
    sent = [checkin(1, 1, period=due[0].period)]
    again = due_checkins(
        now=later, group=group(), commitments=[commitment(1)], history=sent, grace=GRACE
    )
    assert again == []


def test_outside_grace_nothing_is_due() -> None:
    late = MONDAY_9_LA + GRACE + timedelta(minutes=1)
    assert (
        due_checkins(now=late, group=group(), commitments=[commitment(1)], history=[], grace=GRACE)
        == []
    )
    before = MONDAY_9_LA - timedelta(minutes=1)
    assert (
        due_checkins(
            now=before, group=group(), commitments=[commitment(1)], history=[], grace=GRACE
        )
        == []
    )


def test_commitments_made_after_the_fire_wait_for_the_next_one() -> None:
    fresh = commitment(1, created_at=MONDAY_9_LA + timedelta(minutes=5))
    now = MONDAY_9_LA + timedelta(minutes=10)
    assert due_checkins(now=now, group=group(), commitments=[fresh], history=[], grace=GRACE) == []


def test_non_working_days_and_archived_groups_skip() -> None:
    weekend = group(checkin_schedule="daily 09:00")
    saturday = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)
    assert (
        due_checkins(
            now=saturday, group=weekend, commitments=[commitment(1)], history=[], grace=GRACE
        )
        == []
    )
    archived = group(archived=True)
    assert (
        due_checkins(
            now=MONDAY_9_LA, group=archived, commitments=[commitment(1)], history=[], grace=GRACE
        )
        == []
    )


def test_one_reminder_after_the_delay_or_the_snooze() -> None:
    sent = MONDAY_9_LA
    delay = timedelta(hours=24)
    waiting = checkin(1, 1, sent_at=sent)
    answered = checkin(2, 2, sent_at=sent, response="on_track")
    reminded = checkin(3, 3, sent_at=sent, reminder_sent_at=sent + delay)
    snoozed = checkin(
        4, 4, sent_at=sent, snoozed_until=sent + timedelta(hours=48), snooze_used=True
    )
    items = [commitment(i) for i in (1, 2, 3, 4)]
    rows = [waiting, answered, reminded, snoozed]
    early = due_reminders(
        now=sent + timedelta(hours=23), checkins=rows, commitments=items, delay=delay
    )
    assert early == []
    day_later = due_reminders(now=sent + delay, checkins=rows, commitments=items, delay=delay)
    assert [r.checkin_id for r in day_later] == [1]
    two_days = due_reminders(now=sent + 2 * delay, checkins=rows, commitments=items, delay=delay)
    assert [r.checkin_id for r in two_days] == [1, 4]
    closed = [commitment(1, status="done")]
    assert (
        due_reminders(now=sent + 2 * delay, checkins=[waiting], commitments=closed, delay=delay)
        == []
    )


def test_overdue_escalation_once_per_week() -> None:
    policy = DuePolicy(grace=GRACE, overdue_days=3)
    items = [
        commitment(1, due_date=date(2026, 3, 5)),  # 4 days late on Monday the 9th
        commitment(2, due_date=date(2026, 3, 6)),  # 3 days: not more than 3
        commitment(3, due_date=date(2026, 3, 1), status="dropped"),
    ]
    due = due_escalations(
        now=MONDAY_9_LA, group=group(), commitments=items, escalations=[], policy=policy
    )
    assert [(e.commitment_id, e.lead_user_id, e.period, e.days_overdue) for e in due] == [
        (1, "ULEAD", "2026-W11", 4)
    ]
    done = [Escalation(commitment_id=1, period="2026-W11", sent_at=MONDAY_9_LA)]
    assert (
        due_escalations(
            now=MONDAY_9_LA, group=group(), commitments=items, escalations=done, policy=policy
        )
        == []
    )
    next_week = due_escalations(
        now=MONDAY_9_LA + timedelta(days=7),
        group=group(),
        commitments=items,
        escalations=done,
        policy=policy,
    )
    assert [e.commitment_id for e in next_week] == [1, 2]


def test_digest_due_once_per_period() -> None:
    friday_3pm = datetime(2026, 3, 13, 22, 0, tzinfo=UTC)
    due = due_digest(now=friday_3pm, group=group(), digests=[], grace=GRACE)
    assert due is not None and due.period == "2026-03-13T15:00"
    posted = [Digest(group_id=1, period=due.period, sent_at=friday_3pm)]
    assert due_digest(now=friday_3pm, group=group(), digests=posted, grace=GRACE) is None
    assert (
        due_digest(now=friday_3pm - timedelta(hours=1), group=group(), digests=[], grace=GRACE)
        is None
    )


def test_the_current_checkin_period_is_the_latest_working_day_fire() -> None:
    """What an ``/advisor update`` may answer: the period outstanding now, never older."""
    weekly = group(timezone="UTC")
    assert current_checkin_period(weekly, now=datetime(2026, 3, 11, 12, tzinfo=UTC)) == (
        "2026-03-09T09:00"
    )
    assert current_checkin_period(weekly, now=datetime(2026, 3, 9, 8, 59, tzinfo=UTC)) == (
        "2026-03-02T09:00"
    )
    daily = group(timezone="UTC", checkin_schedule="0 9 * * *", working_days="mon,tue,wed,thu,fri")
    saturday = datetime(2026, 3, 14, 10, tzinfo=UTC)  # the weekend fires are not check-ins
    assert current_checkin_period(daily, now=saturday) == "2026-03-13T09:00"
    assert current_checkin_period(group(checkin_schedule="nonsense"), now=saturday) is None
