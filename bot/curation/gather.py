"""Reading the curators' report: the question log (within its retention period) and the
playbooks folder, handed to the pure ``bot.curation.report.build_report``.

The report reads only what the retention period keeps: ``--since`` longer than
``ADVISOR_QUESTION_LOG_RETENTION_DAYS`` is cut to it (and the report says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from bot.curation.report import CuratorReport, DocInfo, Embed, abbreviations_in, build_report
from retrieval.chunking import chunk_document
from retrieval.documents import DEFAULT_MAX_FILE_BYTES, load_corpus
from retrieval.glossary import read_glossary
from storage.curation import open_person_requests, questions_since, unhelpful_since

_SINCE = re.compile(r"^\s*(\d{1,5})\s*([dw]?)\s*$", re.IGNORECASE)


class SinceError(ValueError):
    """A ``--since`` that is not a number of days or weeks."""


def parse_since(text: str) -> int:
    """``30d`` / ``30`` -> 30 days, ``2w`` -> 14; ``SinceError`` otherwise."""
    found = _SINCE.match(text)
    if not found or int(found.group(1)) < 1:
        raise SinceError(
            f"--since takes a number of days or weeks, such as 30d or 2w, not {text!r}"
        )
    days = int(found.group(1))
    return days * 7 if found.group(2).lower() == "w" else days


def library(playbooks_dir: Path, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[DocInfo]:
    """Every loadable playbook and case note, with its top-level sections and review date."""
    corpus = load_corpus(playbooks_dir, max_bytes=max_bytes)
    documents = []
    for doc in corpus.documents:
        sections = dict.fromkeys(
            chunk.headings[0] for chunk in chunk_document(doc) if chunk.headings
        )
        documents.append(
            DocInfo(
                doc_id=doc.id,
                title=doc.title,
                path=doc.path,
                kind=doc.kind,
                review_by=doc.review_by,
                sections=tuple(sections),
                hidden=doc.hidden,
                abbreviations=frozenset(
                    a.casefold() for a in abbreviations_in(f"{doc.title}\n{doc.body}")
                ),
            )
        )
    return documents


def known_abbreviations(playbooks_dir: Path, documents: list[DocInfo]) -> frozenset[str]:
    """Abbreviations (case-folded) the playbooks write or the glossary explains."""
    glossary, _problems = read_glossary(playbooks_dir)  # `playbooks validate` reports them
    explained = glossary.folded if glossary is not None else frozenset()
    return explained.union(*(doc.abbreviations for doc in documents))


@dataclass(frozen=True)
class ReportRequest:
    now: datetime
    days: int
    retention_days: int
    due_within_days: int = 30


def gather_report(
    session: Session,
    request: ReportRequest,
    *,
    documents: list[DocInfo],
    embed: Embed,
    known: frozenset[str] = frozenset(),
) -> CuratorReport:
    """The report for the last ``request.days`` days, cut to the retention period;
    ``known``: the library's abbreviations (``known_abbreviations``)."""
    days = min(request.days, request.retention_days)
    since = request.now - timedelta(days=days)
    report = build_report(
        since=since,
        until=request.now,
        questions=questions_since(session, since=since),
        unhelpful=unhelpful_since(session, since=since),
        # still open, however long ago asked (within what the log keeps): not only this week's
        requests=open_person_requests(
            session, since=request.now - timedelta(days=request.retention_days)
        ),
        documents=documents,
        embed=embed,
        due_within_days=request.due_within_days,
        known_abbreviations=known,
    )
    if days < request.days:
        note = (
            f"The question log keeps {request.retention_days} days "
            f"(ADVISOR_QUESTION_LOG_RETENTION_DAYS): the report covers those, not {request.days}."
        )
        report = replace(report, notes=(*report.notes, note))
    return report
