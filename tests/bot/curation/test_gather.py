"""What the weekly report reads (real database, both backends)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.curation.gather import ReportRequest, gather_report
from storage.curation import record_person_request, resolve_person_request
from storage.questions import log_question
from tests.fakes.embedder import HashEmbedder
from tests.storage.helpers import T0


def test_an_open_request_older_than_the_week_stays_in_the_weekly_report(
    session: Session,
) -> None:
    """Regression: only requests asked within the report's days were listed, so one still
    open after a week dropped off the weekly digest although nobody had handled it."""
    asked = {}
    for days, user in ((10, "UASKER01"), (3, "UASKER02"), (9, "UASKER03"), (120, "UASKER04")):
        row = log_question(
            session,
            asked_at=T0 - timedelta(days=days),
            user_id=user,
            surface="mention",
            question=f"question of {user}",
            abstained=False,
        )
        assert row.id is not None
        made = record_person_request(
            session, question_log_id=row.id, user_id=user, now=T0 - timedelta(days=days)
        )
        assert made is not None and made.request.id is not None
        asked[user] = made.request.id
    resolve_person_request(session, request_id=asked["UASKER03"], resolved_by="UCUR1", now=T0)
    report = gather_report(
        session,
        ReportRequest(now=T0, days=7, retention_days=90),
        documents=[],
        embed=HashEmbedder().embed,
    )
    # newest first; the handled one and the one past retention are not listed
    assert [r.user_id for r in report.open_requests] == ["UASKER02", "UASKER01"]
