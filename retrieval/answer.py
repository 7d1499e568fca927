"""Compose a grounded ``Answer`` from ranked hits (no LLM): extractive, cited, or abstaining.

- Direct answer: the most relevant sentences of the top chunks, picked by maximal marginal
  relevance (relevance = chunk rank + query-term overlap weighted by IDF; redundancy = word
  overlap with sentences already picked), each carrying its citation number.
- What to do next: items from the ``## Actions`` lists of the best-matching playbooks.
- Peer cities: the best-matching case notes, summarized by their opening sentence.
- Below the relevance threshold it abstains and names the closest topics.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.chunking import split_sentences
from retrieval.index import LoadedIndex
from retrieval.models import Action, Answer, Chunk, Citation, Hit, Peer, Sentence
from retrieval.text import tokenize

# Calibrated on tests/data/dev_questions (see BENCHMARKS.md, "Abstention threshold").
DEFAULT_ABSTAIN_THRESHOLD = 0.42
SKIP_SECTIONS = frozenset({"related", "actions", "sources", "see also"})
ACTION_SECTIONS = frozenset({"actions", "what to do next", "checklist"})
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
# Sentences about the document itself ("This playbook is for ...") answer nothing.
_META = re.compile(r"^(this|the) (playbook|case note|guide|note|page)\b", re.IGNORECASE)
MAX_SENTENCES_PER_CHUNK = 2


@dataclass(frozen=True)
class ComposeOptions:
    max_sentences: int = 4
    max_actions: int = 4
    max_peers: int = 3
    mmr_lambda: float = 0.7
    abstain_threshold: float = DEFAULT_ABSTAIN_THRESHOLD


@dataclass
class _Candidate:
    text: str
    chunk: Chunk
    relevance: float
    words: frozenset[str]


class _Citations:
    """Numbers citations in order of first use, one per document section."""

    def __init__(self, index: LoadedIndex) -> None:
        self.index = index
        self.items: list[Citation] = []
        self._numbers: dict[tuple[str, tuple[str, ...]], int] = {}

    def number(self, chunk: Chunk) -> int:
        key = (chunk.doc_id, chunk.headings)
        if key not in self._numbers:
            record = self.index.documents.get(chunk.doc_id, {})
            sources = record.get("sources") or []
            self._numbers[key] = len(self.items) + 1
            self.items.append(
                Citation(
                    number=len(self.items) + 1,
                    doc_id=chunk.doc_id,
                    title=chunk.doc_title,
                    section=" › ".join(chunk.headings),
                    path=str(record.get("path", "")),
                    kind=chunk.kind,
                    url=sources[0] if sources else None,
                    city=record.get("city"),
                )
            )
        return self._numbers[key]


def confidence_of(hits: Sequence[Hit]) -> float:
    """The relevance signal the abstention threshold applies to: best dense similarity."""
    return max((h.dense for h in hits if h.dense is not None), default=0.0)


def compose_answer(
    question: str,
    hits: Sequence[Hit],
    *,
    index: LoadedIndex,
    peer_hits: Sequence[Hit] = (),
    options: ComposeOptions | None = None,
) -> Answer:
    """Build the ``Answer`` for ``question`` from ranked ``hits`` (see module docstring)."""
    options = options or ComposeOptions()
    confidence = confidence_of(hits)
    searched = index.document_count
    if not hits or confidence < options.abstain_threshold:
        return Answer(
            question=question,
            abstained=True,
            closest_topics=_distinct_titles(hits, 3),
            documents_searched=searched,
            confidence=confidence,
            hits=tuple(hits),
        )
    weights = _query_weights(question, index)
    citations = _Citations(index)
    sentences = _pick_sentences(hits, weights, options, citations)
    actions = _pick_actions(hits, weights, index, options, citations)
    peers = _pick_peers([*hits, *peer_hits], options, index, citations)
    return Answer(
        question=question,
        abstained=False,
        sentences=tuple(sentences),
        actions=tuple(actions),
        peers=tuple(peers),
        citations=tuple(citations.items),
        documents_searched=searched,
        confidence=confidence,
        hits=tuple(hits),
    )


def clean_inline(text: str) -> str:
    """Markdown links to their label, emphasis markers removed, whitespace folded."""
    text = _MD_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def _query_weights(question: str, index: LoadedIndex) -> dict[str, float]:
    return {term: index.bm25.idf(term) for term in set(tokenize(question))}


def _overlap(words: frozenset[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in words) / total if total else 0.0


def _rank_weight(rank: int) -> float:
    return 1.0 / (1.0 + 0.35 * rank)


def _pick_sentences(
    hits: Sequence[Hit],
    weights: dict[str, float],
    options: ComposeOptions,
    citations: _Citations,
) -> list[Sentence]:
    candidates: list[_Candidate] = []
    seen: set[str] = set()
    for rank, hit in enumerate(hits[:5]):
        if hit.chunk.headings and hit.chunk.headings[0].casefold() in SKIP_SECTIONS:
            continue
        for raw in split_sentences(hit.chunk.text):
            text = clean_inline(raw)
            key = text.casefold()
            if (
                key in seen
                or not 30 <= len(text) <= 450
                or text.endswith(":")
                or text.startswith("|")
                or _META.match(text)
            ):
                continue
            seen.add(key)
            words = frozenset(tokenize(text))
            relevance = 0.6 * _rank_weight(rank) + 0.4 * _overlap(words, weights)
            candidates.append(_Candidate(text, hit.chunk, relevance, words))
    chosen = _mmr(candidates, options.max_sentences, options.mmr_lambda)
    return [Sentence(c.text, citations.number(c.chunk)) for c in chosen]


def _mmr(candidates: list[_Candidate], limit: int, lam: float) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    pool = list(candidates)
    while pool and len(chosen) < limit:
        best = max(pool, key=lambda c: lam * c.relevance - (1 - lam) * _redundancy(c, chosen))
        same_chunk = sum(c.chunk.id == best.chunk.id for c in chosen)
        if same_chunk >= MAX_SENTENCES_PER_CHUNK or (chosen and _redundancy(best, chosen) > 0.6):
            pool.remove(best)
            continue
        chosen.append(best)
        pool.remove(best)
    return chosen


def _redundancy(candidate: _Candidate, chosen: list[_Candidate]) -> float:
    def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
        return len(a & b) / len(a | b) if a and b else 0.0

    return max((jaccard(candidate.words, c.words) for c in chosen), default=0.0)


def _pick_actions(
    hits: Sequence[Hit],
    weights: dict[str, float],
    index: LoadedIndex,
    options: ComposeOptions,
    citations: _Citations,
) -> list[Action]:
    playbooks = _distinct_docs([h for h in hits if h.chunk.kind == "playbook"], 2)
    scored: list[tuple[float, str, Chunk]] = []
    for rank, doc_id in enumerate(playbooks):
        for chunk in _action_chunks(index, doc_id):
            for item in split_sentences(chunk.text) if "\n" in chunk.text else [chunk.text]:
                text = clean_inline(item)
                if len(text) >= 15:
                    score = _rank_weight(rank * 2) + _overlap(frozenset(tokenize(text)), weights)
                    scored.append((score, text, chunk))
    scored.sort(key=lambda s: -s[0])
    picked: list[Action] = []
    for _, text, chunk in scored:
        if all(text != a.text for a in picked):
            picked.append(Action(text, citations.number(chunk)))
        if len(picked) == options.max_actions:
            break
    return picked


def _action_chunks(index: LoadedIndex, doc_id: str) -> list[Chunk]:
    chunks = [index.chunks[i] for i in index.by_doc.get(doc_id, [])]
    return [c for c in chunks if c.headings and c.headings[0].casefold() in ACTION_SECTIONS]


def _pick_peers(
    hits: Sequence[Hit], options: ComposeOptions, index: LoadedIndex, citations: _Citations
) -> list[Peer]:
    peers = []
    for doc_id in _distinct_docs(
        [h for h in hits if h.chunk.kind == "case-note"], options.max_peers
    ):
        lead = _lead_chunk(index, doc_id)
        if lead is None:
            continue
        summary = " ".join(clean_inline(s) for s in split_sentences(lead.text)[:2])
        city = index.documents.get(doc_id, {}).get("city") or lead.doc_title
        peers.append(Peer(city, lead.doc_title, summary, citations.number(lead)))
    return peers


def _lead_chunk(index: LoadedIndex, doc_id: str) -> Chunk | None:
    chunks = [index.chunks[i] for i in index.by_doc.get(doc_id, [])]
    return next((c for c in chunks if not c.headings), chunks[0] if chunks else None)


def _distinct_docs(hits: Sequence[Hit], limit: int) -> list[str]:
    out: list[str] = []
    for hit in hits:
        if hit.chunk.doc_id not in out:
            out.append(hit.chunk.doc_id)
        if len(out) == limit:
            break
    return out


def _distinct_titles(hits: Sequence[Hit], limit: int) -> tuple[str, ...]:
    titles: list[str] = []
    for hit in hits:
        if hit.chunk.doc_title not in titles:
            titles.append(hit.chunk.doc_title)
        if len(titles) == limit:
            break
    return tuple(titles)
