"""Load every playbook and case note under a folder, skipping (and reporting) broken files.

One broken file never stops the others: it becomes a ``Problem`` with the file, the line
and the fix, and the rest load. ``README.md`` and names starting with ``_`` or ``.`` are not
content.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.errors import CorpusError
from retrieval.frontmatter import Problem, check_fields, split_front_matter
from retrieval.models import Document

SKIPPED_NAMES = frozenset({"readme.md"})


@dataclass
class Corpus:
    """What loading a folder produced: the good documents and every problem found."""

    root: Path
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # relative path -> sha256 of bytes

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def by_id(self) -> dict[str, Document]:
        return {doc.id: doc for doc in self.documents}


def content_files(root: Path) -> list[Path]:
    """Every content ``*.md`` file under ``root``, sorted, skipping READMEs and _/. names."""
    files = []
    for path in root.rglob("*.md"):
        parts = path.relative_to(root).parts
        if any(p.startswith(("_", ".")) for p in parts) or path.name.lower() in SKIPPED_NAMES:
            continue
        if path.is_file():
            files.append(path)
    return sorted(files)


def slug_for(relative: str) -> str:
    """Default id from a relative path: ``guides/Camera Retention.md`` -> ``guides-camera-retention``."""
    stem = relative.removesuffix(".md").lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")


def load_corpus(root: Path) -> Corpus:
    """Load all content files under ``root``. Raises ``CorpusError`` only if ``root`` is unusable."""
    if not root.exists():
        raise CorpusError(f"playbooks folder not found: {root} (set ADVISOR_PLAYBOOKS_DIR)")
    if not root.is_dir():
        raise CorpusError(f"playbooks path is not a folder: {root}")
    corpus = Corpus(root=root)
    seen: dict[str, str] = {}
    for path in content_files(root):
        relative = path.relative_to(root).as_posix()
        data = path.read_bytes()
        corpus.hashes[relative] = hashlib.sha256(data).hexdigest()
        document, problems = parse_document(data, relative)
        corpus.problems.extend(problems)
        if document is None:
            continue
        if document.id in seen:
            corpus.problems.append(
                Problem(
                    relative,
                    2,
                    "error",
                    f"duplicate id '{document.id}' (also used by {seen[document.id]})",
                    "give each file a unique 'id'",
                )
            )
            continue
        seen[document.id] = relative
        corpus.documents.append(document)
    return corpus


def parse_document(data: bytes, relative: str) -> tuple[Document | None, list[Problem]]:
    """Parse one file's bytes into a ``Document``, or ``None`` plus the problems that stop it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Problem(relative, line, "error", "file is not UTF-8 text", "save it as UTF-8")
        ]
    text = text.removeprefix("\ufeff")
    fm, problems = split_front_matter(text, relative)
    if fm is None:
        return None, problems
    values, field_problems = check_fields(fm, relative)
    problems.extend(field_problems)
    if "title" not in values:
        problems.append(
            Problem(
                relative, 2, "error", "missing 'title'", "add 'title: <what the file is about>'"
            )
        )
    if not fm.body.strip():
        problems.append(
            Problem(
                relative,
                fm.body_start_line,
                "error",
                "file has no body text",
                "write the content below the front matter",
            )
        )
    if any(p.severity == "error" for p in problems):
        return None, problems
    document = Document(
        id=values.get("id") or slug_for(relative),
        title=values["title"],
        kind=values["kind"],
        path=relative,
        body=fm.body,
        body_start_line=fm.body_start_line,
        content_hash=hashlib.sha256(data).hexdigest(),
        tags=values["tags"],
        stakeholders=values["stakeholders"],
        city=values.get("city"),
        summary=values.get("summary"),
        sources=values["sources"],
        updated=values["updated"],
        review_by=values["review_by"],
        owner=values.get("owner"),
    )
    return document, problems
