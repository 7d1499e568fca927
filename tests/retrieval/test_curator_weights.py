"""Curator weights in front matter (issue 13, item 5, in part): ``hidden: true`` keeps a
draft out of the index and answers; ``boost`` (0.5-2.0) scales a document in ranking; both
are validated with the file's line."""

from __future__ import annotations

from pathlib import Path

from retrieval.documents import load_corpus
from retrieval.engine import Advisor
from retrieval.index import build_index, load_index
from retrieval.search import document_order
from tests.fakes.corpus import PLAYBOOK_FRONT, write_doc
from tests.fakes.embedder import HashEmbedder


def test_a_hidden_draft_is_validated_but_never_indexed_or_cited(
    corpus_dir: Path, tmp_path: Path
) -> None:
    write_doc(
        corpus_dir,
        "guides/draft.md",
        PLAYBOOK_FRONT.format(title="Draft footage rules", tags="cameras") + "hidden: true\n",
        "Camera footage retention should be 7 days, says this unreviewed draft.\n",
    )
    corpus = load_corpus(corpus_dir)
    assert "guides-draft" in corpus.by_id() and corpus.errors == []
    index, _ = build_index(corpus, HashEmbedder(), tmp_path / "idx")
    assert "guides-draft" not in index.documents
    assert all(c.doc_id != "guides-draft" for c in index.chunks)
    assert index.manifest["files"]["guides/draft.md"]["status"] == "hidden"
    answer = Advisor(index, HashEmbedder()).ask("camera footage retention days draft")
    assert all(c.doc_id != "guides-draft" for c in answer.citations)


def test_boost_scales_a_document_in_the_ordering() -> None:
    doc_of = ["guide", "guide", "case"]
    fused = {0: 0.30, 1: 0.10, 2: 0.35}
    assert document_order(fused, doc_of)[0] == 0  # 0.40 against 0.35
    assert document_order(fused, doc_of, boosts={"case": 1.5})[0] == 2  # 0.525
    assert document_order(fused, doc_of, boosts={"guide": 0.5})[0] == 2  # 0.20


def test_the_boost_reaches_the_loaded_index(corpus_dir: Path, tmp_path: Path) -> None:
    seattle = corpus_dir / "case-notes" / "seattle.md"
    seattle.write_text(
        seattle.read_text().replace("kind: case-note\n", "kind: case-note\nboost: 1.5\n")
    )
    build_index(load_corpus(corpus_dir), HashEmbedder(), tmp_path / "idx")
    loaded = load_index(tmp_path / "idx")
    assert loaded is not None
    assert loaded.boosts == {"case-notes-seattle": 1.5}


def test_bad_boost_or_hidden_values_are_errors_at_their_line(corpus_dir: Path) -> None:
    for extra, line, message in (
        ("boost: 3\n", 7, "boost must be a number from 0.5 to 2.0, found 3"),
        ("boost: lots\n", 7, "boost must be a number from 0.5 to 2.0, found 'lots'"),
        ("hidden: maybe\n", 7, "hidden must be true or false, found 'maybe'"),
    ):
        write_doc(
            corpus_dir,
            "guides/weights.md",
            PLAYBOOK_FRONT.format(title="Weights", tags="privacy") + extra,
            "Body.\n",
        )
        (problem,) = [p for p in load_corpus(corpus_dir).errors if p.path == "guides/weights.md"]
        assert (problem.line, problem.message) == (line, message), extra
