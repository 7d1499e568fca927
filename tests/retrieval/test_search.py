"""Fusion math on hand-written numbers, BM25 basics, and filtered hybrid search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.bm25 import BM25Index
from retrieval.documents import load_corpus
from retrieval.index import build_index
from retrieval.models import Filters
from retrieval.search import convex_fuse, minmax, rrf_fuse, search
from tests.fakes.embedder import HashEmbedder


def test_rrf_rewards_items_ranked_well_by_both() -> None:
    fused = rrf_fuse([[1, 2, 3], [3, 1, 4]], k=10)
    assert fused[1] == pytest.approx(1 / 11 + 1 / 12)
    assert fused[3] == pytest.approx(1 / 13 + 1 / 11)
    assert fused[4] == pytest.approx(1 / 13)
    assert max(fused, key=fused.__getitem__) == 1


def test_convex_fusion_normalizes_each_side() -> None:
    assert minmax({1: 5.0, 2: 5.0}) == {1: 1.0, 2: 1.0}
    fused = convex_fuse({1: 0.9, 2: 0.5}, {2: 10.0, 3: 2.0}, alpha=0.5)
    assert fused == pytest.approx({1: 0.5, 2: 0.5, 3: 0.0})
    assert convex_fuse({1: 0.9, 2: 0.5}, {}, alpha=1.0)[1] == 1.0


def test_bm25_prefers_rare_matching_terms() -> None:
    index = BM25Index.build(["camera footage retention", "camera budget", "budget meeting"])
    scores = index.scores("footage")
    assert scores[0] > 0 and scores[1] == scores[2] == 0
    assert index.idf("footage") > index.idf("camera")


def test_bm25_round_trips_to_disk(tmp_path: Path) -> None:
    index = BM25Index.build(["alpha beta", "beta gamma"])
    index.save(tmp_path / "b.npz")
    loaded = BM25Index.load(tmp_path / "b.npz")
    assert np.allclose(loaded.scores("gamma beta"), index.scores("gamma beta"))


@pytest.fixture
def index(corpus_dir: Path, tmp_path: Path):
    loaded, _ = build_index(load_corpus(corpus_dir), HashEmbedder(), tmp_path / "idx")
    return loaded


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_each_mode_finds_the_retention_playbook(index, mode: str) -> None:
    query = "how long to keep camera footage retention default"
    vector = HashEmbedder().embed([query])[0]
    hits = search(index, query=query, query_vector=vector, mode=mode, k=3)  # type: ignore[arg-type]
    assert hits[0].chunk.doc_id == "footage-retention"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_filters_restrict_kind_tag_and_city(index) -> None:
    query = "surveillance working group council"
    vector = HashEmbedder().embed([query])[0]
    case_notes = search(
        index, query=query, query_vector=vector, filters=Filters(kinds=("case-note",))
    )
    assert case_notes and {h.chunk.kind for h in case_notes} == {"case-note"}
    tagged = search(index, query=query, query_vector=vector, filters=Filters(tags=("governance",)))
    assert {h.chunk.doc_id for h in tagged} == {"guides-charter"}
    city = search(index, query=query, query_vector=vector, filters=Filters(cities=("seattle",)))
    assert {h.chunk.doc_id for h in city} == {"case-notes-seattle"}
    nowhere = search(index, query=query, query_vector=vector, filters=Filters(cities=("Oslo",)))
    assert nowhere == []


def test_document_order_ranks_a_document_by_its_best_chunks_together() -> None:
    from retrieval.search import document_order

    doc_of = ["guide", "guide", "guide", "mention", "other"]
    fused = {0: 0.5, 1: 0.45, 2: 0.4, 3: 0.6, 4: 0.1}
    # "mention" has the single best chunk; "guide" matches in three sections
    assert document_order(fused, doc_of) == [0, 1, 2, 3, 4]
    assert document_order(fused, doc_of, evidence=1) == [3, 0, 1, 2, 4]
    # only the best ``evidence`` chunks count: a long document gains nothing from its tail
    doc_of = ["long"] * 6 + ["short", "short"]
    fused = {i: 0.1 for i in range(6)} | {6: 0.25, 7: 0.2}
    assert document_order(fused, doc_of)[:2] == [6, 7]
    # ``among`` orders a chosen set only, with document scores from all of ``fused``
    doc_of = ["guide", "guide", "guide", "mention"]
    fused = {0: 0.5, 1: 0.45, 2: 0.4, 3: 0.6}
    assert document_order(fused, doc_of, among=[3, 0]) == [0, 3]


def test_document_agreement_credits_each_retrievers_best_document() -> None:
    from retrieval.search import document_agreement

    doc_of = ["guide", "guide", "long", "long", "case"]
    dense = {0: 0.8, 2: 0.7, 3: 0.6, 4: 0.5}  # documents: guide 1, long 2, case 3
    sparse = {1: 9.0, 4: 7.0, 2: 3.0}  # documents: guide 1, case 2, long 3
    agreement = document_agreement([dense, sparse], doc_of, k=10, weight=2.0)
    assert agreement["guide"] == pytest.approx(2 / 11 + 2 / 11)
    assert agreement["long"] == pytest.approx(2 / 12 + 2 / 13)
    assert agreement["case"] == pytest.approx(2 / 13 + 2 / 12)
    assert document_agreement([dense, {}], doc_of, k=10, weight=2.0)["guide"] == pytest.approx(
        2 / 11
    )


def test_document_order_adds_a_bonus_before_the_boost() -> None:
    from retrieval.search import document_order

    # "long" has three middling chunks (0.45); "guide" two strong ones (0.40)
    doc_of = ["long", "long", "long", "guide", "guide"]
    fused = {0: 0.15, 1: 0.15, 2: 0.15, 3: 0.25, 4: 0.15}
    assert document_order(fused, doc_of)[0] == 0
    assert document_order(fused, doc_of, bonus={"guide": 0.1})[0] == 3  # 0.50 against 0.45
    # a boost multiplies the sum with its bonus: 0.5 * 0.50 < 0.45
    assert document_order(fused, doc_of, bonus={"guide": 0.1}, boosts={"guide": 0.5})[0] == 0


def test_a_precedent_question_weighs_case_notes_more(index) -> None:
    from retrieval.search import PRECEDENT_CASE_NOTE_WEIGHT, document_factors

    everything = range(len(index.chunks))
    factors = document_factors(index, everything, "has any city set up a surveillance board?")
    assert factors == {"case-notes-seattle": pytest.approx(PRECEDENT_CASE_NOTE_WEIGHT)}
    assert document_factors(index, everything, "what goes in a surveillance board charter") == {}
    index.boosts = {"case-notes-seattle": 0.5, "guides-charter": 2.0}  # curators' boosts stay
    factors = document_factors(index, everything, "did another city set up a surveillance board")
    assert factors == {
        "case-notes-seattle": pytest.approx(0.5 * PRECEDENT_CASE_NOTE_WEIGHT),
        "guides-charter": 2.0,
    }


def test_hybrid_search_puts_the_case_note_first_for_a_precedent_question(
    index, monkeypatch: pytest.MonkeyPatch
) -> None:
    import retrieval.search

    query = "has any city had a working group charter council votes"
    vector = HashEmbedder().embed([query])[0]

    def first_doc(**kwargs) -> str:
        return search(index, query=query, query_vector=vector, **kwargs)[0].chunk.doc_id

    assert first_doc() == "case-notes-seattle"
    bm25_first = first_doc(mode="bm25")
    monkeypatch.setattr(retrieval.search, "PRECEDENT_CASE_NOTE_WEIGHT", 1.0)
    assert first_doc() == "guides-charter"  # without the prior the charter guide leads
    assert first_doc(mode="bm25") == bm25_first  # one retriever alone is never reordered
