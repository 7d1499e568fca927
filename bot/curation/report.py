"""The curators' report, as plain values: built from logged rows and the library, no I/O.

``build_report`` takes what ``bot.curation.gather`` read (the question log since a date, the
not-helpful verdicts, the open *Ask a person* requests, the playbooks) and an ``embed``
function for grouping the questions the advisor could not answer. The CLI prints it
(``advisor report``), the weekly digest and App Home render it as Block Kit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from bot.curation.grouping import DEFAULT_GROUP_THRESHOLD, group_by_meaning, normalized
from retrieval.text import STOP_WORDS, among
from storage.models import Feedback, PersonRequest, QuestionLog

SECTION_SEPARATOR = " › "
TOP = 5  # most-cited documents and sections shown
# 2 to 8 capitals (digits after the first), an optional plural "s": ALPR, CJIS, V2X, SIRs
_ABBREVIATION = re.compile(r"\b([A-Z][A-Z0-9&]{1,7})s?\b")
Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class DocInfo:
    """One playbook or case note as the report needs it."""

    doc_id: str
    title: str
    path: str
    kind: str
    review_by: date | None = None
    sections: tuple[str, ...] = ()  # top-level (``##``) section headings, in file order
    hidden: bool = False
    abbreviations: frozenset[str] = frozenset()  # those it writes in capitals, case-folded


@dataclass(frozen=True)
class GapGroup:
    """Unanswered questions that mean the same thing."""

    count: int
    newest: str
    newest_at: datetime
    examples: tuple[str, ...]  # up to three other wordings, newest first


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation in unanswered questions that neither the playbooks nor the glossary
    use: a line for ``playbooks/glossary.txt`` may be all the library is missing."""

    term: str
    count: int  # unanswered questions that use it
    example: str  # the newest of them


@dataclass(frozen=True)
class Unhelpful:
    question: str
    asked_at: datetime
    user_id: str
    documents: tuple[str, ...]  # titles of the cited documents
    sections: tuple[str, ...]  # "Title › Section" of each cited section
    comment: str | None = None


@dataclass(frozen=True)
class OpenRequest:
    request_id: int
    question: str
    user_id: str
    asked_at: datetime


@dataclass(frozen=True)
class Review:
    doc_id: str
    title: str
    path: str
    review_by: date
    days: int  # days past review_by (overdue) or until it (due soon)


@dataclass(frozen=True)
class Cited:
    doc_id: str
    title: str
    path: str
    section: str  # "" for a whole document
    count: int


@dataclass(frozen=True)
class CuratorReport:
    since: datetime
    until: datetime
    questions: int
    abstained: int
    gaps: tuple[GapGroup, ...] = ()
    abbreviations: tuple[Abbreviation, ...] = ()
    unhelpful: tuple[Unhelpful, ...] = ()
    open_requests: tuple[OpenRequest, ...] = ()
    overdue: tuple[Review, ...] = ()
    due_soon: tuple[Review, ...] = ()
    never_cited: tuple[Cited, ...] = ()  # whole documents no answer cited
    never_cited_sections: tuple[Cited, ...] = ()  # sections of cited documents never cited
    most_cited: tuple[Cited, ...] = ()
    most_cited_sections: tuple[Cited, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def build_report(
    *,
    since: datetime,
    until: datetime,
    questions: Sequence[QuestionLog],
    unhelpful: Sequence[tuple[Feedback, QuestionLog]],
    requests: Sequence[tuple[PersonRequest, QuestionLog]],
    documents: Sequence[DocInfo],
    embed: Embed,
    due_within_days: int = 30,
    group_threshold: float = DEFAULT_GROUP_THRESHOLD,
    known_abbreviations: frozenset[str] = frozenset(),
) -> CuratorReport:
    """The whole report for questions asked in ``[since, until]``; ``known_abbreviations``
    (case-folded) are those the playbooks or the glossary already use."""
    docs = {doc.doc_id: doc for doc in documents}
    abstained = [row for row in questions if row.abstained]
    overdue, due_soon = review_dates(documents, today=until.date(), within_days=due_within_days)
    never, never_sections, most, most_sections = citation_usage(questions, documents)
    return CuratorReport(
        since=since,
        until=until,
        questions=len(questions),
        abstained=len(abstained),
        gaps=tuple(gap_groups(abstained, embed=embed, threshold=group_threshold)),
        abbreviations=tuple(unknown_abbreviations(abstained, known=known_abbreviations)),
        unhelpful=tuple(_unhelpful(feedback, row, docs) for feedback, row in unhelpful),
        open_requests=tuple(
            OpenRequest(int(req.id or 0), row.question, req.user_id, req.asked_at)
            for req, row in requests
        ),
        overdue=tuple(overdue),
        due_soon=tuple(due_soon),
        never_cited=tuple(never),
        never_cited_sections=tuple(never_sections),
        most_cited=tuple(most),
        most_cited_sections=tuple(most_sections),
    )


def gap_groups(
    abstained: Sequence[QuestionLog], *, embed: Embed, threshold: float = DEFAULT_GROUP_THRESHOLD
) -> list[GapGroup]:
    """Abstained questions grouped by meaning, biggest group first (then newest)."""
    rows = sorted(abstained, key=lambda r: (r.asked_at, r.id or 0), reverse=True)
    if not rows:
        return []
    vectors = normalized(embed([row.question for row in rows]))
    groups = []
    for members in group_by_meaning(vectors, threshold=threshold):
        newest = rows[members[0]]
        wordings = list(dict.fromkeys(rows[i].question for i in members))
        groups.append(
            GapGroup(
                count=len(members),
                newest=newest.question,
                newest_at=newest.asked_at,
                examples=tuple(wordings[1:4]),
            )
        )
    return sorted(groups, key=lambda g: (-g.count, -g.newest_at.timestamp()))


def abbreviations_in(text: str) -> set[str]:
    """The abbreviations ``text`` writes in capitals (``ALPR``, ``SIRs`` as ``SIR``); none
    from text that is mostly capitals ("HOW LONG DO WE KEEP IT"), and no stop words."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    if words and sum(w.isupper() for w in words) * 2 > len(words):
        return set()
    return {
        m.group(1) for m in _ABBREVIATION.finditer(text) if m.group(1).lower() not in STOP_WORDS
    }


def unknown_abbreviations(
    abstained: Sequence[QuestionLog], *, known: frozenset[str], limit: int = TOP * 2
) -> list[Abbreviation]:
    """Abbreviations of unanswered questions missing from ``known`` (case-folded), most
    used first (then newest); each counted once a question."""
    rows = sorted(abstained, key=lambda r: (r.asked_at, r.id or 0), reverse=True)
    counts: Counter[str] = Counter()
    newest: dict[str, str] = {}
    for row in rows:
        for term in sorted(abbreviations_in(row.question)):
            folded = term.casefold()
            if among(folded, known):
                continue  # "ALPRS": a plural in capitals
            counts[term] += 1
            newest.setdefault(term, row.question)
    return [
        Abbreviation(term, count, newest[term])
        for term, count in sorted(counts.items(), key=lambda item: -item[1])[:limit]
    ]


def _unhelpful(feedback: Feedback, row: QuestionLog, docs: dict[str, DocInfo]) -> Unhelpful:
    titles = tuple(
        docs[doc_id].title if doc_id in docs else doc_id
        for doc_id in dict.fromkeys(row.cited_doc_ids)
    )
    sections = []
    for key in dict.fromkeys(row.cited_sections or []):
        doc_id, _, section = key.partition("#")
        title = docs[doc_id].title if doc_id in docs else doc_id
        sections.append(SECTION_SEPARATOR.join(part for part in (title, section) if part))
    return Unhelpful(
        question=row.question,
        asked_at=row.asked_at,
        user_id=feedback.user_id,
        documents=titles,
        sections=tuple(sections),
        comment=feedback.reason,
    )


def review_dates(
    documents: Sequence[DocInfo], *, today: date, within_days: int = 30
) -> tuple[list[Review], list[Review]]:
    """Documents past ``review_by`` (most overdue first) and due within ``within_days``
    (soonest first)."""
    overdue, soon = [], []
    horizon = today + timedelta(days=within_days)
    for doc in documents:
        if doc.review_by is None:
            continue
        if doc.review_by < today:
            days = (today - doc.review_by).days
            overdue.append(Review(doc.doc_id, doc.title, doc.path, doc.review_by, days))
        elif doc.review_by <= horizon:
            days = (doc.review_by - today).days
            soon.append(Review(doc.doc_id, doc.title, doc.path, doc.review_by, days))
    overdue.sort(key=lambda r: (-r.days, r.path))
    soon.sort(key=lambda r: (r.days, r.path))
    return overdue, soon


def citation_usage(
    questions: Sequence[QuestionLog], documents: Sequence[DocInfo]
) -> tuple[list[Cited], list[Cited], list[Cited], list[Cited]]:
    """Never-cited documents, never-cited sections of cited documents, the most-cited
    documents and the most-cited sections (top-level section of each citation)."""
    by_doc: Counter[str] = Counter()
    by_section: Counter[tuple[str, str]] = Counter()
    for row in questions:
        if row.abstained:
            continue
        by_doc.update(list(dict.fromkeys(row.cited_doc_ids)))
        for key in dict.fromkeys(row.cited_sections or []):
            doc_id, _, section = key.partition("#")
            by_section[(doc_id, section.split(SECTION_SEPARATOR)[0])] += 1
    shown = [doc for doc in documents if not doc.hidden]
    docs = {doc.doc_id: doc for doc in shown}
    never = [Cited(d.doc_id, d.title, d.path, "", 0) for d in shown if not by_doc[d.doc_id]]
    never_sections = [
        Cited(d.doc_id, d.title, d.path, section, 0)
        for d in shown
        if by_doc[d.doc_id]
        for section in d.sections
        if not by_section[(d.doc_id, section)]
    ]
    most = [
        Cited(doc_id, docs[doc_id].title, docs[doc_id].path, "", count)
        for doc_id, count in sorted(by_doc.items(), key=lambda item: (-item[1], item[0]))
        if doc_id in docs
    ][:TOP]
    most_sections = [
        Cited(doc_id, docs[doc_id].title, docs[doc_id].path, section, count)
        for (doc_id, section), count in sorted(
            by_section.items(), key=lambda item: (-item[1], item[0])
        )
        if doc_id in docs
    ][:TOP]
    return never, never_sections, most, most_sections
