"""Digest content: status table, overdue first, blockers with owners, unreachable owners."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from checkins.digest import build_digest, latest_checkins
from checkins.snooze import snooze_until
from tests.checkins.builders import checkin, commitment, group

NOW = datetime(2026, 3, 13, 22, 0, tzinfo=UTC)
TODAY = date(2026, 3, 13)


def test_digest_rows_blockers_and_unreachable() -> None:
    items = [
        commitment(1, title="on time", due_date=date(2026, 4, 1)),
        commitment(2, title="late", due_date=date(2026, 3, 10)),
        commitment(3, title="blocked one", due_date=date(2026, 3, 20)),
        commitment(4, title="finished", status="done", completed_at=NOW - timedelta(days=2)),
        commitment(5, title="long done", status="done", completed_at=NOW - timedelta(days=30)),
        commitment(6, title="left", owner_user_id="UGONE"),
    ]
    history = [
        checkin(1, 3, period="a", scheduled_for=NOW - timedelta(days=8), response="on_track"),
        checkin(
            2,
            3,
            period="b",
            scheduled_for=NOW - timedelta(days=1),
            response="blocked",
            note="waiting on legal",
        ),
        checkin(
            3, 6, period="b", scheduled_for=NOW - timedelta(days=1), delivery_error="user_not_found"
        ),
    ]
    digest = build_digest(
        group=group(), commitments=items, latest=latest_checkins(history), today=TODAY, now=NOW
    )
    assert [r.title for r in digest.rows] == ["late", "blocked one", "on time", "left", "finished"]
    assert digest.rows[0].overdue and digest.rows[0].days_overdue == 3
    assert digest.overdue_count == 1
    assert [(b.title, b.owner_user_id, b.note) for b in digest.blockers] == [
        ("blocked one", "U3", "waiting on legal")
    ]
    assert digest.rows[1].last_response == "blocked"
    assert digest.unreachable_owners == ["UGONE"]


def test_snooze_comes_back_a_day_later() -> None:
    assert snooze_until(now=NOW) == NOW + timedelta(hours=24)
