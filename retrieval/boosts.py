"""What the curators' ``boost`` front matter does to ranking, for ``advisor eval``.

``boost_effect`` ranks every answerable question twice, with the index's boosts and with
none, and returns both sets of ranking metrics and each boosted document's rank changes
(the questions where a boost moved it). Nothing is composed, so it costs one search per
question and run.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.engine import Advisor
from retrieval.evaluation import RANK_DEPTH, EvalQuestion, Metrics, distinct_docs, ranking_metrics


@dataclass(frozen=True)
class RankChange:
    doc_id: str
    boost: float
    question: str
    rank_with: int | None  # 1-based, None when not in the first ``RANK_DEPTH`` documents
    rank_without: int | None
    relevant: bool  # the question's labels name this document


@dataclass(frozen=True)
class BoostEffect:
    boosts: dict[str, float]
    with_boosts: Metrics
    without_boosts: Metrics
    changes: tuple[RankChange, ...]


def without_boosts(advisor: Advisor) -> Advisor:
    """The same advisor over the same index, with every boost taken as 1."""
    index = copy.copy(advisor.index)
    index.boosts = {}
    return Advisor(index, advisor.embedder, advisor.options, advisor.glossary)


def boost_effect(advisor: Advisor, questions: Sequence[EvalQuestion]) -> BoostEffect | None:
    """Ranking metrics with and without curator boosts; ``None`` if no document has one."""
    boosts = dict(advisor.index.boosts)
    if not boosts:
        return None
    plain = without_boosts(advisor)
    answerable = [q for q in questions if not q.must_abstain]
    boosted_rankings, plain_rankings, changes = [], [], []
    for q in answerable:
        boosted = _ranking(advisor, q.question)
        unboosted = _ranking(plain, q.question)
        boosted_rankings.append(boosted)
        plain_rankings.append(unboosted)
        for doc_id, factor in sorted(boosts.items()):
            rank_with, rank_without = _rank(boosted, doc_id), _rank(unboosted, doc_id)
            if rank_with != rank_without:
                changes.append(
                    RankChange(
                        doc_id, factor, q.question, rank_with, rank_without, doc_id in q.relevant
                    )
                )
    relevant = [q.relevant for q in answerable]
    return BoostEffect(
        boosts=boosts,
        with_boosts=ranking_metrics(boosted_rankings, relevant),
        without_boosts=ranking_metrics(plain_rankings, relevant),
        changes=tuple(changes),
    )


def _ranking(advisor: Advisor, question: str) -> list[str]:
    return distinct_docs(h.chunk.doc_id for h in advisor.search(question, k=RANK_DEPTH))


def _rank(ranking: Sequence[str], doc_id: str) -> int | None:
    return ranking.index(doc_id) + 1 if doc_id in ranking else None
