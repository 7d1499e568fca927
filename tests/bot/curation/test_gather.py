"""What the weekly report reads (real database, both backends)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from bot.curation.gather import ReportRequest, gather_report, known_abbreviations, library
from bot.curation.text import summary
from storage.curation import record_person_request, resolve_person_request
from storage.questions import log_question
from tests.fakes.corpus import write_small_corpus
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


def test_abbreviations_of_unanswered_questions_the_library_lacks_are_listed(
    session: Session, tmp_path: Path
) -> None:
    playbooks = write_small_corpus(tmp_path / "playbooks")
    (playbooks / "glossary.txt").write_text("CJIS: criminal justice information security\n")
    asked = [
        (5, "ALPR retention for the SOC?", True),
        (4, "which CJIS rules apply to the SOC", True),
        (3, "our ALPRs and the PD", True),
        (2, "alpr kept how long?", True),  # lower case: not read as an abbreviation
        (1, "ALPR vendors with a WXYZ license?", False),  # answered: not a gap
        (6, "HOW LONG DO WE KEEP THE FOOTAGE", True),  # shouted words are not abbreviations
        (7, "the CJISS and the IT", True),  # a glossary plural in capitals; a stop word
    ]
    for days, question, abstained in asked:
        log_question(
            session,
            asked_at=T0 - timedelta(days=days),
            user_id="UASKER01",
            surface="mention",
            question=question,
            abstained=abstained,
        )
    documents = library(playbooks)
    known = known_abbreviations(playbooks, documents)
    assert known == {"cjis", "raci"}  # the glossary's; the one the small corpus writes
    report = gather_report(
        session,
        ReportRequest(now=T0, days=7, retention_days=90),
        documents=documents,
        embed=HashEmbedder().embed,
        known=known,
    )
    assert [(a.term, a.count, a.example) for a in report.abbreviations] == [
        ("ALPR", 2, "our ALPRs and the PD"),
        ("SOC", 2, "which CJIS rules apply to the SOC"),
        ("PD", 1, "our ALPRs and the PD"),
    ]
    section = next(s for s in summary(report) if s.title.startswith("Abbreviations"))
    assert section.lines[0].text == "ALPR, as in “our ALPRs and the PD”"
