"""Who is missing from the table: a working group's stakeholder map for its topic.

``build_stakeholder_map`` asks the retrieval engine (passed in) which playbooks and case
notes are about the topic, adds up the stakeholders their ``stakeholders:`` front matter
recommends, each weighted by its document's relevance, and sets them against the parties the group's members represent. For each missing party it
quotes the party's typical motive from the library, with a citation: a list item whose
bold lead names the party ("- **The city attorney** worries about ...", in a guide's
motives section or a case note's "Stakeholders and motives"), from the most relevant
document that has one, else from any document (guides first).

It never guesses: no topic, or no document at least as close as the advisor's abstention
threshold, gives an empty map that says so (``status``). Pure apart from the search call.

Weights: a document's relevance is the best cosine similarity of its chunks to the topic;
the five most relevant documents at or above the threshold count, each with weight
``exp((cosine - best cosine) / RELEVANCE_SCALE)`` (1 for the best match, about a third
for one 0.05 below it), so the guide that is about the topic decides the map and the
documents that merely touch it add little. A party's weight is the sum over the documents
that name it; parties with at least ``ON_MAP_SHARE`` of the top party's weight are on the
map, most recommended first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from retrieval.answer import playbook_link
from retrieval.errors import QuestionError
from retrieval.index import LoadedIndex
from retrieval.models import Chunk, Citation, Hit
from retrieval.search import Mode
from retrieval.stakeholders import Stakeholder, StakeholderVocabulary, normalized

CANDIDATE_CHUNKS = 40  # chunks searched for the topic
MAX_DOCUMENTS = 5  # documents whose front matter is counted
RELEVANCE_SCALE = 0.05
ON_MAP_SHARE = 0.34  # a party is on the map with at least this share of the top party's weight
MOTIVE_LIMIT = 300

Status = Literal["ok", "no-topic", "nothing-found", "no-index"]
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\*\*(?P<label>[^*]+?)\*\*(?P<rest>.*)$")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_PARTS = re.compile(r",|\band\b|\bor\b|/|;", re.IGNORECASE)


@runtime_checkable
class TopicSearch(Protocol):
    """What the map needs of ``retrieval.engine.Advisor``."""

    index: LoadedIndex

    def search(self, question: str, *, mode: Mode = "hybrid", k: int | None = None) -> list[Hit]:
        """The ranked chunks for ``question``."""
        ...


@dataclass(frozen=True)
class MapEntry:
    """One party on the map: how much the library recommends it, who represents it, and
    (when missing) its typical motive with the number of its citation."""

    id: str
    label: str
    weight: float  # share of the most recommended party's weight, 0-1
    members: tuple[str, ...] = ()  # Slack user ids of the members who represent it
    motive: str | None = None
    citation: int | None = None

    @property
    def represented(self) -> bool:
        return bool(self.members)


@dataclass(frozen=True)
class StakeholderMap:
    topic: str | None
    status: Status
    entries: tuple[MapEntry, ...] = ()  # most recommended first
    citations: tuple[Citation, ...] = ()
    sources: tuple[str, ...] = ()  # titles of the documents the map was drawn from
    other_members: tuple[tuple[str, str], ...] = ()  # (user, party label) not on the map
    no_role: tuple[str, ...] = ()  # members who have not said whom they represent

    @property
    def represented(self) -> tuple[MapEntry, ...]:
        return tuple(e for e in self.entries if e.represented)

    @property
    def missing(self) -> tuple[MapEntry, ...]:
        return tuple(e for e in self.entries if not e.represented)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["represented"] = [e.id for e in self.represented]
        data["missing"] = [e.id for e in self.missing]
        return data


@dataclass
class _Numbering:
    base_url: str | None
    index: LoadedIndex
    items: list[Citation] = field(default_factory=list)

    def number(self, chunk: Chunk) -> int:
        section = " › ".join(chunk.headings)
        for citation in self.items:
            if (citation.doc_id, citation.section) == (chunk.doc_id, section):
                return citation.number
        record = self.index.documents.get(chunk.doc_id, {})
        path = str(record.get("path", ""))
        self.items.append(
            Citation(
                number=len(self.items) + 1,
                doc_id=chunk.doc_id,
                title=chunk.doc_title,
                section=section,
                path=path,
                kind=chunk.kind,
                url=playbook_link(self.base_url, path, chunk.headings),
                sources=tuple(record.get("sources") or ()),
                city=record.get("city"),
            )
        )
        return len(self.items)


def build_stakeholder_map(
    advisor: TopicSearch,
    *,
    topic: str | None,
    vocabulary: StakeholderVocabulary,
    members: Sequence[tuple[str, str | None]],
    threshold: float,
    playbooks_url: str | None = None,
) -> StakeholderMap:
    """The map of ``topic`` for a group whose ``members`` are (user id, party id or None)."""
    no_role = tuple(user for user, party in members if not party)
    topic = " ".join((topic or "").split()) or None
    if topic is None:
        return StakeholderMap(None, "no-topic", no_role=no_role)
    try:
        hits = advisor.search(topic, mode="dense", k=CANDIDATE_CHUNKS)
    except QuestionError:  # nothing searchable left once cleaned (control characters …)
        return StakeholderMap(topic, "nothing-found", no_role=no_role)
    found = relevant_documents(hits)
    ranked = sorted(found.items(), key=lambda item: -item[1])
    top = [(doc, r) for doc, r in ranked if r >= threshold][:MAX_DOCUMENTS]
    weights = _weights(advisor.index, top, vocabulary)
    if not weights:
        return StakeholderMap(topic, "nothing-found", no_role=no_role)
    best = max(weights.values())
    on_map = sorted(
        (p for p, w in weights.items() if w >= ON_MAP_SHARE * best), key=lambda p: -weights[p]
    )
    numbering = _Numbering(playbooks_url, advisor.index)
    lookup = name_lookup(vocabulary)
    nearest = [doc for doc, _ in ranked]  # the map's documents first, then the nearest others
    order = nearest + _fallback_order(advisor.index, set(nearest))
    entries = []
    for party_id in on_map:
        party = vocabulary.get(party_id)
        assert party is not None
        users = tuple(user for user, role in members if role == party_id)
        motive, citation = (
            (None, None) if users else _motive(advisor.index, party, lookup, order, numbering)
        )
        entries.append(
            MapEntry(
                party.id, party.label, round(weights[party_id] / best, 3), users, motive, citation
            )
        )
    others = tuple(
        (user, _label(vocabulary, role)) for user, role in members if role and role not in on_map
    )
    titles = tuple(str(advisor.index.documents[d].get("title", d)) for d, _ in top)
    return StakeholderMap(
        topic, "ok", tuple(entries), tuple(numbering.items), titles, others, no_role
    )


def relevant_documents(hits: Iterable[Hit]) -> dict[str, float]:
    """Each document's relevance: the best cosine similarity among its hits."""
    best: dict[str, float] = {}
    for hit in hits:
        if hit.dense is not None:
            doc = hit.chunk.doc_id
            best[doc] = max(best.get(doc, -1.0), float(hit.dense))
    return best


def _weights(
    index: LoadedIndex, documents: Sequence[tuple[str, float]], vocabulary: StakeholderVocabulary
) -> dict[str, float]:
    weights: dict[str, float] = {}
    best = max((relevance for _, relevance in documents), default=0.0)
    for doc_id, relevance in documents:
        weight = math.exp((relevance - best) / RELEVANCE_SCALE)
        for party in index.documents.get(doc_id, {}).get("stakeholders") or ():
            if party in vocabulary.ids:
                weights[party] = weights.get(party, 0.0) + weight
    return weights


def _fallback_order(index: LoadedIndex, used: set[str]) -> list[str]:
    """Every other document: guides before case notes, then by id."""
    rest = [d for d in index.documents if d not in used]
    return sorted(rest, key=lambda d: (index.documents[d].get("kind") != "playbook", d))


def _motive(
    index: LoadedIndex,
    party: Stakeholder,
    lookup: dict[str, str],
    order: Sequence[str],
    numbering: _Numbering,
) -> tuple[str | None, int | None]:
    """The first motive item naming ``party`` in the documents of ``order``."""
    for doc_id in order:
        for position in index.by_doc.get(doc_id, []):
            chunk = index.chunks[position]
            if "**" not in chunk.text:
                continue
            for names, text in motive_items(chunk.text, lookup):
                if party.id in names:
                    return text, numbering.number(chunk)
    return None, None


def motive_items(
    text: str, vocabulary: StakeholderVocabulary | dict[str, str]
) -> list[tuple[set[str], str]]:
    """List items whose bold lead names parties: (their ids, the rest of the item)."""
    found = []
    for line in text.splitlines():
        match = _ITEM.match(line)
        if match is None:
            continue
        names = parties_named(match["label"], vocabulary)
        rest = match["rest"].lstrip(" :.–—-").strip()
        if names and rest:
            found.append((names, _clip(rest)))
    return found


def parties_named(label: str, vocabulary: StakeholderVocabulary | dict[str, str]) -> set[str]:
    """The parties a bold lead names: the whole lead, or its parts split at and/or/commas.
    ``vocabulary`` may be a ``name_lookup`` of it (faster when reading many items)."""
    lookup = vocabulary if isinstance(vocabulary, dict) else name_lookup(vocabulary)
    cleaned = re.sub(r"\([^)]*\)", " ", label).strip().rstrip(":.").strip()
    named = set()
    for candidate in [cleaned, *_PARTS.split(cleaned)]:
        words = _ARTICLE.sub("", candidate.strip()).removesuffix("'s").strip()
        party = lookup.get(normalized(words)) if words else None
        if party is not None:
            named.add(party)
    return named


def name_lookup(vocabulary: StakeholderVocabulary) -> dict[str, str]:
    """Every id, label and alias, normalized, to its party's id (as ``resolve`` reads them)."""
    return {
        normalized(name): party.id
        for party in vocabulary.parties
        for name in (party.id, party.label, *party.aliases)
    }


def _clip(text: str) -> str:
    if len(text) <= MOTIVE_LIMIT:
        return text
    return text[:MOTIVE_LIMIT].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _label(vocabulary: StakeholderVocabulary, party_id: str) -> str:
    party = vocabulary.get(party_id)
    return party.label if party is not None else party_id
