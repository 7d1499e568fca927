"""Value types shared by every retrieval stage and every renderer.

``Answer`` is the contract between retrieval and the surfaces (CLI text, JSON, Slack
Block Kit): renderers only read it, they never reach back into the index.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

DocKind = Literal["playbook", "case-note"]
HEADING_SEPARATOR = " › "


@dataclass(frozen=True)
class Document:
    """One Markdown file with validated front matter."""

    id: str
    title: str
    kind: DocKind
    path: str  # relative to the playbooks dir, POSIX separators
    body: str
    body_start_line: int  # 1-based line of the first body line in the file
    content_hash: str  # sha256 of the whole file's bytes
    tags: tuple[str, ...] = ()
    stakeholders: tuple[str, ...] = ()
    city: str | None = None
    summary: str | None = None  # case notes: what the city did and what came of it
    sources: tuple[str, ...] = ()
    updated: date | None = None
    review_by: date | None = None
    owner: str | None = None
    boost: float = 1.0  # a curator's weight on the document in ranking (0.5-2.0)
    hidden: bool = False  # a draft: validated, never indexed or shown
    key_lines: tuple[tuple[str, int], ...] = ()  # front-matter key -> its line in the file

    def line_of(self, key: str) -> int:
        """The line of front-matter ``key`` in the file (2, the front matter, if absent)."""
        return dict(self.key_lines).get(key, 2)


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of one document, never spanning two ``##`` sections."""

    id: str
    doc_id: str
    doc_title: str
    kind: DocKind
    headings: tuple[str, ...]  # section path below the title, e.g. ("Retention", "Police")
    text: str
    start_line: int
    tags: tuple[str, ...] = ()
    city: str | None = None

    @property
    def label(self) -> str:
        """``Title › Section › Subsection``, used in citations."""
        return HEADING_SEPARATOR.join((self.doc_title, *self.headings))

    @property
    def index_text(self) -> str:
        """What is embedded and keyword-indexed: the text with its title and heading path."""
        return f"{self.label}\n{self.text}"


@dataclass(frozen=True)
class Filters:
    """Restrict a search to some kinds, tags (any of) or cities (any of)."""

    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()

    def accepts(self, chunk: Chunk) -> bool:
        if self.kinds and chunk.kind not in self.kinds:
            return False
        if self.tags and not set(self.tags) & set(chunk.tags):
            return False
        if self.cities:
            city = (chunk.city or "").casefold()
            if not any(want.casefold() in city for want in self.cities):
                return False
        return True

    @property
    def empty(self) -> bool:
        return not (self.kinds or self.tags or self.cities)


@dataclass(frozen=True)
class Hit:
    """One ranked chunk with the scores that put it there."""

    chunk: Chunk
    score: float  # fused score used for ranking
    dense: float | None = None  # cosine similarity, if the chunk was a dense candidate
    bm25: float | None = None  # raw BM25 score, if the chunk was a keyword candidate


@dataclass(frozen=True)
class Citation:
    number: int  # 1-based, as shown in the answer text: [1], [2], ...
    doc_id: str
    title: str
    section: str  # heading path below the title ("" for the lead paragraph)
    path: str
    kind: DocKind
    url: str | None = None  # the playbook file at this heading, when ADVISOR_PLAYBOOKS_URL is set
    sources: tuple[str, ...] = ()  # the front matter's public sources (secondary links)
    city: str | None = None

    @property
    def label(self) -> str:
        return HEADING_SEPARATOR.join(p for p in (self.title, self.section) if p)


@dataclass(frozen=True)
class Sentence:
    """A passage quoted from the playbooks, with its citation; ``place`` names where a case
    note's passage happened when its words do not ("Toronto"), for renderers to show first."""

    text: str
    citation: int
    place: str | None = None

    @property
    def shown(self) -> str:
        return f"{self.place}: {self.text}" if self.place else self.text


@dataclass(frozen=True)
class Action:
    text: str
    citation: int


@dataclass(frozen=True)
class Peer:
    city: str
    title: str
    summary: str
    citation: int


@dataclass(frozen=True)
class Correction:
    """A question word that appears nowhere in the library, and the word it was read as."""

    typed: str
    read_as: str


LEAD_SENTENCES = 3  # renderers show this many as the answer, the rest as further points


@dataclass(frozen=True)
class Answer:
    """A grounded answer, or a plain abstention naming the closest topics.

    ``sentences`` come best first: the first ``LEAD_SENTENCES`` are the answer itself and
    the rest further points from the library, which renderers show as a list.
    """

    question: str
    abstained: bool
    sentences: tuple[Sentence, ...] = ()
    actions: tuple[Action, ...] = ()
    peers: tuple[Peer, ...] = ()
    citations: tuple[Citation, ...] = ()
    closest_topics: tuple[str, ...] = ()
    # Why it abstained: "off-topic" (nothing in the library is near) or "too-specific" (the
    # library covers the topic, not this detail: a price, a count, a product, a person).
    refusal: Literal["off-topic", "too-specific"] | None = None
    corrections: tuple[Correction, ...] = ()  # misspellings searched as the library spells them
    documents_searched: int = 0
    confidence: float = 0.0
    hits: tuple[Hit, ...] = field(default=(), compare=False, repr=False)

    @property
    def lead(self) -> tuple[Sentence, ...]:
        return self.sentences[:LEAD_SENTENCES]

    @property
    def more(self) -> tuple[Sentence, ...]:
        return self.sentences[LEAD_SENTENCES:]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("hits")
        data["hit_chunk_ids"] = [hit.chunk.id for hit in self.hits]
        return data
