"""Load every playbook and case note under a folder, skipping (and reporting) broken files.

One broken file never stops the others: it becomes a ``Problem`` with the file, the line
and the fix, and the rest load. ``README.md`` and names starting with ``_`` or ``.`` are not
content. A file over ``max_bytes`` is refused unread (a 20 MB paste would take minutes and
gigabytes to embed). Two files with one id are an error on the newcomer: the file the live
index already holds the id for keeps it (``indexed``), else the first by path.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.errors import CorpusError
from retrieval.frontmatter import Problem, check_fields, split_front_matter
from retrieval.models import Document

SKIPPED_NAMES = frozenset({"readme.md"})
DEFAULT_MAX_FILE_BYTES = 1_000_000  # ~80 times the longest shipped playbook


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


def content_hashes(root: Path) -> dict[str, str] | None:
    """Every content file's hash exactly as ``load_corpus`` records it (``Corpus.hashes``),
    without parsing anything (what a freshness check needs); ``None`` if ``root`` is not a
    folder."""
    if not root.is_dir():
        return None
    return {path.relative_to(root).as_posix(): _hash_file(path) for path in content_files(root)}


def load_corpus(
    root: Path,
    *,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    indexed: Mapping[str, str] | None = None,
) -> Corpus:
    """Load all content files under ``root``. Raises ``CorpusError`` only if ``root`` is unusable.

    ``indexed`` (doc id -> file, from the live index) settles duplicate ids in favour of the
    file already indexed.
    """
    if not root.exists():
        raise CorpusError(f"playbooks folder not found: {root} (set ADVISOR_PLAYBOOKS_DIR)")
    if not root.is_dir():
        raise CorpusError(f"playbooks path is not a folder: {root}")
    corpus = Corpus(root=root)
    loaded: list[Document] = []
    for path in content_files(root):
        relative = path.relative_to(root).as_posix()
        data, problem = _read(path, relative, max_bytes)
        corpus.hashes[relative] = _hash_file(path) if data is None else _hash(data)
        if data is None:
            corpus.problems.append(problem)  # type: ignore[arg-type]
            continue
        document, problems = parse_document(data, relative)
        corpus.problems.extend(problems)
        if document is not None:
            loaded.append(document)
    corpus.documents = _one_per_id(loaded, indexed or {}, corpus)
    return corpus


def _read(path: Path, relative: str, max_bytes: int) -> tuple[bytes | None, Problem | None]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, Problem(
                relative,
                1,
                "error",
                f"file is {size:,} bytes, over the limit of {max_bytes:,}",
                "split it into smaller files (or raise ADVISOR_MAX_PLAYBOOK_BYTES)",
            )
        return path.read_bytes(), None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, Problem(relative, 1, "error", f"cannot read the file: {reason}")


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash_file(path: Path) -> str:
    """The file's SHA-256 without holding it in memory; unreadable files hash their size."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError:
        return f"unreadable:{path.stat().st_size if path.exists() else 0}"
    return digest.hexdigest()


def _one_per_id(
    documents: list[Document], indexed: Mapping[str, str], corpus: Corpus
) -> list[Document]:
    """Keep one document per id (see the module doc); report the others, naming both files."""
    by_id: dict[str, list[Document]] = {}
    for doc in documents:
        by_id.setdefault(doc.id, []).append(doc)
    losers: set[str] = set()
    for doc_id, docs in by_id.items():
        if len(docs) == 1:
            continue
        keeper = next((d for d in docs if indexed.get(doc_id) == d.path), docs[0])
        for doc in docs:
            if doc is keeper:
                continue
            losers.add(doc.path)
            corpus.problems.append(
                Problem(
                    doc.path,
                    doc.line_of("id"),
                    "error",
                    f"duplicate id '{doc_id}': {keeper.path} has it, and keeps it",
                    "give this file its own 'id'",
                )
            )
    return [doc for doc in documents if doc.path not in losers]


def parse_document(data: bytes, relative: str) -> tuple[Document | None, list[Problem]]:
    """Parse one file's bytes into a ``Document``, or ``None`` plus the problems that stop it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Problem(relative, line, "error", "file is not UTF-8 text", "save it as UTF-8")
        ]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [
            Problem(
                relative,
                line,
                "error",
                "file contains a NUL byte (binary data?)",
                "save it as plain UTF-8 text",
            )
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
        boost=values["boost"],
        hidden=values["hidden"],
        key_lines=tuple(fm.key_lines.items()),
    )
    return document, problems
