"""Corpus checks for admins: everything ``load_corpus`` reports plus content hygiene.

Adds: past ``review_by`` (warning), missing ``updated``/``review_by`` (warning), case notes
without ``city`` or ``sources`` (error), tags outside the vocabulary (warning), and dead
relative links (error), and bad lines of ``glossary.txt`` (error). Used by ``advisor playbooks validate`` and by content CI.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from retrieval.documents import DEFAULT_MAX_FILE_BYTES, Corpus, load_corpus
from retrieval.frontmatter import Problem
from retrieval.glossary import read_glossary
from retrieval.models import Document
from retrieval.stakeholders import STAKEHOLDERS_FILE, StakeholderVocabulary, read_stakeholders
from retrieval.yaml_files import read_yaml

VOCABULARY_FILE = "tags.yaml"
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def validate_corpus(root: Path, *, today: date, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Corpus:
    """Load ``root`` and return the corpus with every problem found, sorted by file and line."""
    corpus = load_corpus(root, max_bytes=max_bytes)
    vocabulary, problems = read_vocabulary(root)
    corpus.problems.extend(problems)
    parties, problems = read_stakeholders(root)
    corpus.problems.extend(problems)
    corpus.problems.extend(read_glossary(root)[1])
    for doc in corpus.documents:
        corpus.problems.extend(_document_problems(doc, root, today, vocabulary))
        if parties is not None:
            corpus.problems.extend(stakeholder_problems(doc, parties))
    corpus.problems.sort(key=lambda p: (p.path, p.line, p.severity))
    return corpus


def read_vocabulary(root: Path) -> tuple[frozenset[str] | None, list[Problem]]:
    """The tag vocabulary and what is wrong with its file (file and line, never a raise)."""
    path = root / VOCABULARY_FILE
    if not path.exists():
        return None, []

    parsed, _, problems = read_yaml(path, VOCABULARY_FILE)
    if problems:
        return None, problems
    tags = parsed.get("tags") if isinstance(parsed, dict) else None
    if not isinstance(tags, dict | list):
        fix = "write 'tags:' and one tag per line"
        return None, [Problem(VOCABULARY_FILE, 1, "error", "no 'tags:' list or mapping", fix)]
    return frozenset(str(t) for t in tags), []


def _document_problems(
    doc: Document, root: Path, today: date, vocabulary: frozenset[str] | None
) -> list[Problem]:
    problems: list[Problem] = []

    def add(severity: str, message: str, fix: str = "", line: int = 2) -> None:
        problems.append(Problem(doc.path, line, severity, message, fix))  # type: ignore[arg-type]

    if doc.review_by is None:
        add("warning", "no 'review_by' date", "add 'review_by: YYYY-MM-DD' (a year out is typical)")
    elif doc.review_by < today:
        add(
            "warning",
            f"review_by {doc.review_by} has passed",
            "re-check the facts and move the date",
        )
    if doc.updated is None:
        add("warning", "no 'updated' date", "add 'updated: YYYY-MM-DD'")
    elif doc.updated > today:
        add("error", f"updated {doc.updated} is in the future", "use the date you last checked it")
    if doc.kind == "case-note":
        if not doc.city:
            add("error", "case note has no 'city'", "add 'city: City, State, Country'")
        if not doc.sources:
            add("error", "case note has no 'sources'", "list at least one public URL")
        if not doc.summary:
            add(
                "warning",
                "case note has no 'summary'",
                "add one or two sentences: what the city did and what came of it",
            )
    if vocabulary is not None:
        for tag in doc.tags:
            if tag not in vocabulary:
                add(
                    "warning",
                    f"tag '{tag}' is not in {VOCABULARY_FILE}",
                    "use a listed tag or add it there",
                )
    problems.extend(_dead_links(doc, root))
    return problems


def stakeholder_problems(doc: Document, parties: StakeholderVocabulary) -> list[Problem]:
    """Each ``stakeholders:`` entry of ``doc`` that is not an id of the vocabulary."""
    problems = []
    for name in doc.stakeholders:
        if name in parties.ids:
            continue
        meant = parties.resolve(name)
        fix = (
            f"write '{meant.id}' (the id for {meant.label})"
            if meant is not None
            else f"use one of: {', '.join(sorted(parties.ids))}, or add it to {STAKEHOLDERS_FILE}"
        )
        problems.append(
            Problem(
                doc.path,
                doc.line_of("stakeholders"),
                "error",
                f"stakeholder '{name}' is not in {STAKEHOLDERS_FILE}",
                fix,
            )
        )
    return problems


def _dead_links(doc: Document, root: Path) -> list[Problem]:
    problems = []
    folder = (root / doc.path).parent
    for offset, line in enumerate(doc.body.splitlines()):
        for target in _LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
                continue
            path = target.split("#", 1)[0]
            if path and not (folder / path).exists():
                problems.append(
                    Problem(
                        doc.path,
                        doc.body_start_line + offset,
                        "error",
                        f"dead link to '{target}'",
                        "fix the relative path or remove the link",
                    )
                )
    return problems
