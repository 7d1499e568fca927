"""The report as titled sections of lines: one shape for the terminal and for Slack.

``summary`` decides what is shown (each list cut to ``limit`` lines, with "… and N more");
``report_lines`` draws it for the terminal, ``bot.blocks.curation`` as Block Kit. A line
that names a playbook carries its path and section, so a renderer can link to it
(``ADVISOR_PLAYBOOKS_URL``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.curation.report import Cited, CuratorReport, Review
from retrieval.answer import playbook_link


@dataclass(frozen=True)
class Line:
    text: str  # what a person typed or a document's title: escape it for Slack
    detail: str = ""  # our own words after it (counts, dates, comments are in ``text``)
    path: str | None = None
    section: str | None = None

    def url(self, base: str | None) -> str | None:
        if self.path is None:
            return None
        return playbook_link(base, self.path, (self.section,) if self.section else ())


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]
    empty: str


def summary(report: CuratorReport, *, limit: int = 10) -> list[Section]:
    def cut(lines: list[Line]) -> tuple[Line, ...]:
        if len(lines) <= limit:
            return tuple(lines)
        return (*lines[:limit], Line(f"… and {len(lines) - limit} more"))

    gaps = [
        Line(
            f"“{g.newest}”"
            + (f" (also: {'; '.join(f'“{e}”' for e in g.examples)})" if g.examples else ""),
            detail=f"{g.count}× · newest {g.newest_at:%Y-%m-%d}",
        )
        for g in report.gaps
    ]
    abbreviations = [
        Line(f"{a.term}, as in “{a.example}”", detail=f"{a.count}×") for a in report.abbreviations
    ]
    unhelpful = [
        Line(
            f"“{u.question}”"
            + (f" — cited: {'; '.join(u.sections or u.documents)}" if u.documents else "")
            + (f" — comment: “{u.comment}”" if u.comment else ""),
            detail=f"{u.asked_at:%Y-%m-%d}",
        )
        for u in report.unhelpful
    ]
    requests = [
        Line(f"“{r.question}”", detail=f"asked {r.asked_at:%Y-%m-%d} (request {r.request_id})")
        for r in report.open_requests
    ]
    return [
        Section("Questions I could not answer", cut(gaps), "None: every question had an answer."),
        Section(
            "Abbreviations in them the playbooks and glossary.txt lack",
            cut(abbreviations),
            "None.",
        ),
        Section("Answers marked not helpful", cut(unhelpful), "None."),
        Section("Ask-a-person requests still open", cut(requests), "None."),
        Section(
            "Past their review date",
            cut([_review(r, overdue=True) for r in report.overdue]),
            "None.",
        ),
        Section(
            "Review due within 30 days",
            cut([_review(r, overdue=False) for r in report.due_soon]),
            "None.",
        ),
        Section(
            "Never cited in this period", cut([_cited(c) for c in report.never_cited]), "None."
        ),
        Section(
            "Sections never cited (of cited playbooks)",
            cut([_cited(c) for c in report.never_cited_sections]),
            "None.",
        ),
        Section("Most cited", cut([_cited(c) for c in report.most_cited]), "None yet."),
        Section(
            "Most cited sections", cut([_cited(c) for c in report.most_cited_sections]), "None yet."
        ),
    ]


def _review(review: Review, *, overdue: bool) -> Line:
    when = f"{review.days} days ago" if overdue else f"in {review.days} days"
    return Line(review.title, detail=f"review_by {review.review_by} ({when})", path=review.path)


def _cited(cited: Cited) -> Line:
    label = f"{cited.title} › {cited.section}" if cited.section else cited.title
    detail = f"{cited.count}×" if cited.count else ""
    return Line(label, detail=detail, path=cited.path, section=cited.section or None)


def headline(report: CuratorReport) -> str:
    return (
        f"{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}: {report.questions} questions, "
        f"{report.abstained} not answered, {len(report.unhelpful)} marked not helpful, "
        f"{len(report.open_requests)} open Ask-a-person requests."
    )


def report_lines(report: CuratorReport, *, playbooks_url: str | None = None) -> list[str]:
    """The report for a terminal, one string per line."""
    lines = [f"Curators' report, {headline(report)}", *report.notes]
    for section in summary(report, limit=25):
        lines += ["", section.title + ":"]
        if not section.lines:
            lines.append(f"  {section.empty}")
        for line in section.lines:
            where = line.url(playbooks_url) or line.path
            parts = [line.text, *([f"[{line.detail}]"] if line.detail else [])]
            parts += [f"<{where}>"] if where else []
            lines.append("  - " + " ".join(parts))
    return lines
