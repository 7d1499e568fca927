"""`validate_corpus`: content hygiene on top of loading."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from retrieval.validation import validate_corpus
from tests.fakes.corpus import write_doc

TODAY = date(2026, 11, 26)


def messages(root: Path) -> dict[str, str]:
    return {p.message: p.severity for p in validate_corpus(root, today=TODAY).problems}


def test_clean_corpus_has_no_problems(corpus_dir: Path) -> None:
    # the retention playbook links to ../case-notes/seattle.md, which exists
    assert validate_corpus(corpus_dir, today=TODAY).problems == []


def test_dead_relative_link_is_an_error_with_its_line(corpus_dir: Path) -> None:
    (corpus_dir / "case-notes" / "seattle.md").unlink()
    problems = validate_corpus(corpus_dir, today=TODAY).errors
    (problem,) = problems
    assert problem.message == "dead link to '../case-notes/seattle.md'"
    text = (corpus_dir / "guides" / "retention.md").read_text().splitlines()
    assert "seattle.md" in text[problem.line - 1]


def test_past_review_date_and_unknown_tag_warn(corpus_dir: Path) -> None:
    (corpus_dir / "tags.yaml").write_text(
        "tags:\n  privacy: x\n  governance: y\n", encoding="utf-8"
    )
    write_doc(
        corpus_dir,
        "guides/old.md",
        "title: Old\nkind: playbook\ntags: [privacy, gadgets]\nupdated: 2020-01-01\nreview_by: 2021-01-01\n",
        "Old text.\n",
    )
    found = messages(corpus_dir)
    assert found["review_by 2021-01-01 has passed"] == "warning"
    assert found["tag 'gadgets' is not in tags.yaml"] == "warning"


def test_case_note_needs_city_and_sources(corpus_dir: Path) -> None:
    write_doc(
        corpus_dir, "case-notes/bare.md", "title: Bare\nkind: case-note\n", "What happened.\n"
    )
    found = messages(corpus_dir)
    assert found["case note has no 'city'"] == "error"
    assert found["case note has no 'sources'"] == "error"
    assert found["case note has no 'summary'"] == "warning"


def test_a_summary_over_300_characters_is_an_error_naming_its_line(corpus_dir: Path) -> None:
    long = "Seattle " + "voted on each tool. " * 20
    write_doc(
        corpus_dir,
        "case-notes/long.md",
        f"title: Long\nkind: case-note\ncity: Seattle\nsummary: {long}\n"
        "sources: [https://example.org]\nupdated: 2026-01-01\nreview_by: 2099-01-01\n",
        "What happened.\n",
    )
    problems = [
        p for p in validate_corpus(corpus_dir, today=TODAY).errors if "summary" in p.message
    ]
    (problem,) = problems
    assert problem.path == "case-notes/long.md" and problem.line == 5
    assert "over 300" in problem.message


def test_shipped_playbooks_validate_without_errors() -> None:
    corpus = validate_corpus(Path("playbooks"), today=TODAY)
    assert corpus.errors == []
    assert sum(d.kind == "playbook" for d in corpus.documents) >= 14
    case_notes = [d for d in corpus.documents if d.kind == "case-note"]
    assert all(d.summary and 120 <= len(d.summary) <= 300 for d in case_notes)
    assert len(case_notes) >= 24
    assert all(d.sources and d.city and d.updated for d in case_notes)
