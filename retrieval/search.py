"""Hybrid search: dense (faiss inner product, ``retrieval.flat``) and BM25 candidates, fused,
filtered.

The fusion functions are pure (ranked lists and score arrays in, positions and scores out)
so ranking can be tested with hand-written numbers. ``search`` takes a query *vector*: the
caller embeds, which keeps model I/O out of the ranking math.

The ``k`` hybrid hits are the ``k`` best fused chunks, as before, but they are *ordered* by
their **document's evidence** first: the sum of the document's best ``DOCUMENT_EVIDENCE``
fused chunk scores among all candidates, then each chunk's own score. A guide that answers a
question usually matches it in several sections, while a passing mention matches in one; on
the dev set this lifted recall@1 from 0.708 to 0.776 and MRR from 0.858 to 0.906
(BENCHMARKS.md, "Finding the right guide first"). The set of hits, and so the refusal
signals read from it, is unchanged. A curator's ``boost`` (front matter, 0.5-2.0) multiplies
its document's evidence.

Two more document-level terms (BENCHMARKS.md, "Fourth pass"):

- **retriever agreement** (``document_agreement``): each retriever ranks documents by their
  best chunk, and a document earns ``DOCUMENT_AGREEMENT / (rrf_k + rank)`` from each, so
  the guide that is the best match for both the embedding and the keywords is not outvoted
  by a longer guide with several middling chunks;
- **a precedent prior**: when the question asks what another city did
  (``retrieval.precedent``), case notes' evidence is multiplied by
  ``PRECEDENT_CASE_NOTE_WEIGHT``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np

from retrieval.index import LoadedIndex
from retrieval.models import Filters, Hit
from retrieval.precedent import asks_for_precedent

Mode = Literal["hybrid", "dense", "bm25"]
Fusion = Literal["rrf", "convex"]
CANDIDATES = 50
DOCUMENT_EVIDENCE = 3  # a document's best chunks summed to rank it (1 = best chunk only)
MAX_CACHED_FILTERS = 256
DOCUMENT_AGREEMENT = 2.0  # weight of each retriever's document rank in a document's evidence
PRECEDENT_CASE_NOTE_WEIGHT = 1.2  # case notes' evidence when the question asks for a precedent


def rrf_fuse(rankings: Sequence[Sequence[int]], *, k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion: ``sum(1 / (k + rank))`` over every ranking an item appears in."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def document_order(
    fused: dict[int, float],
    doc_of: Sequence[str],
    *,
    among: Sequence[int] | None = None,
    evidence: int = DOCUMENT_EVIDENCE,
    boosts: Mapping[str, float] | None = None,
    bonus: Mapping[str, float] | None = None,
) -> list[int]:
    """``among`` (default: every position in ``fused``) best first: by the sum of their
    document's best ``evidence`` scores in ``fused`` plus its ``bonus``, times its ``boosts``
    factor; then by their own score, then by position (``doc_of[position]`` names a
    position's document)."""
    per_doc: dict[str, list[float]] = {}
    for position, score in fused.items():
        per_doc.setdefault(doc_of[position], []).append(score)
    boosts = boosts or {}
    bonus = bonus or {}
    doc_score = {
        doc: boosts.get(doc, 1.0) * (sum(sorted(v, reverse=True)[:evidence]) + bonus.get(doc, 0.0))
        for doc, v in per_doc.items()
    }
    chosen = fused if among is None else among
    return sorted(chosen, key=lambda i: (-doc_score[doc_of[i]], -fused[i], i))


def document_agreement(
    rankings: Sequence[Mapping[int, float]],
    doc_of: Sequence[str],
    *,
    k: int = 10,
    weight: float = DOCUMENT_AGREEMENT,
) -> dict[str, float]:
    """Each retriever's candidates (position -> score) rank documents by their best chunk;
    a document earns ``weight / (k + rank)`` from each retriever (RRF over documents)."""
    out: dict[str, float] = {}
    for scores in rankings:
        seen: set[str] = set()
        for position in _ranked(dict(scores)):
            doc = doc_of[position]
            if doc in seen:
                continue
            seen.add(doc)
            out[doc] = out.get(doc, 0.0) + weight / (k + len(seen))
    return out


def document_factors(index: LoadedIndex, positions: Iterable[int], query: str) -> dict[str, float]:
    """Per-document multipliers of the evidence: curators' boosts, times
    ``PRECEDENT_CASE_NOTE_WEIGHT`` for the case notes among ``positions`` when ``query`` asks
    what another city did."""
    factors = dict(index.boosts)
    if asks_for_precedent(query):
        for doc in {index.doc_of[p] for p in positions if index.chunks[p].kind == "case-note"}:
            factors[doc] = index.boosts.get(doc, 1.0) * PRECEDENT_CASE_NOTE_WEIGHT
    return factors


def minmax(scores: dict[int, float]) -> dict[int, float]:
    """Scale to [0, 1]; a constant set of scores maps to 1.0."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {item: (value - low) / (high - low) for item, value in scores.items()}


def convex_fuse(
    dense: dict[int, float], sparse: dict[int, float], *, alpha: float = 0.5
) -> dict[int, float]:
    """``alpha * dense + (1 - alpha) * bm25`` on min-max normalized scores (missing = 0)."""
    dn, sn = minmax(dense), minmax(sparse)
    return {i: alpha * dn.get(i, 0.0) + (1 - alpha) * sn.get(i, 0.0) for i in set(dn) | set(sn)}


def _allowed(index: LoadedIndex, filters: Filters | None) -> np.ndarray | None:
    """Positions ``filters`` accepts; memoized per index (a scan is O(chunks) in Python)."""
    if filters is None or filters.empty:
        return None
    allowed = index.allowed_cache.get(filters)
    if allowed is None:
        allowed = np.array(
            [i for i, chunk in enumerate(index.chunks) if filters.accepts(chunk)], dtype=np.int64
        )
        allowed.setflags(write=False)
        if len(index.allowed_cache) >= MAX_CACHED_FILTERS:
            index.allowed_cache.clear()
        index.allowed_cache[filters] = allowed
    return allowed


def dense_candidates(
    index: LoadedIndex, query_vector: np.ndarray, *, k: int, allowed: np.ndarray | None
) -> dict[int, float]:
    if index.vectors.ntotal == 0 or (allowed is not None and len(allowed) == 0):
        return {}
    scores, ids = index.vectors.search(query_vector, k, allowed=allowed)
    return {int(i): float(s) for i, s in zip(ids, scores, strict=True)}


def bm25_candidates(
    index: LoadedIndex, query: str, *, k: int, allowed: np.ndarray | None
) -> dict[int, float]:
    scores = index.bm25.scores(query)
    if allowed is not None:
        mask = np.zeros(len(scores), dtype=bool)
        mask[allowed] = True
        scores = np.where(mask, scores, 0.0)
    positive = np.flatnonzero(scores > 0)
    if len(positive) == 0:
        return {}
    if len(positive) > k:  # keep the k best and their ties, in position order, before sorting
        cut = len(positive) - k
        kth = np.partition(scores[positive], cut)[cut]
        positive = positive[scores[positive] >= kth]
    top = positive[np.argsort(-scores[positive], kind="stable")[:k]]
    return {int(i): float(scores[i]) for i in top}


def search(
    index: LoadedIndex,
    *,
    query: str,
    query_vector: np.ndarray | None,
    filters: Filters | None = None,
    k: int = 8,
    mode: Mode = "hybrid",
    fusion: Fusion = "rrf",
    rrf_k: int = 10,
    alpha: float = 0.5,
) -> list[Hit]:
    """Top ``k`` chunks for the query, best first."""
    allowed = _allowed(index, filters)
    dense: dict[int, float] = {}
    sparse: dict[int, float] = {}
    if mode in ("hybrid", "dense"):
        if query_vector is None:
            raise ValueError("dense and hybrid search need a query vector")
        dense = dense_candidates(index, query_vector, k=CANDIDATES, allowed=allowed)
    if mode in ("hybrid", "bm25"):
        sparse = bm25_candidates(index, query, k=CANDIDATES, allowed=allowed)
    if mode == "dense":
        fused = dense
    elif mode == "bm25":
        fused = sparse
    elif fusion == "rrf":
        fused = rrf_fuse([_ranked(dense), _ranked(sparse)], k=rrf_k)
    else:
        fused = convex_fuse(dense, sparse, alpha=alpha)
    ranked = _ranked(fused)[:k]
    if mode == "hybrid":  # one retriever alone (eval --compare) stays as that retriever ranks
        ranked = document_order(
            fused,
            index.doc_of,
            among=ranked,
            boosts=document_factors(index, fused, query),
            bonus=document_agreement([dense, sparse], index.doc_of, k=rrf_k)
            if fusion == "rrf"  # its weight is on RRF's scale
            else None,
        )
    return [Hit(index.chunks[i], fused[i], dense=dense.get(i), bm25=sparse.get(i)) for i in ranked]


def _ranked(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda i: (-scores[i], i))
