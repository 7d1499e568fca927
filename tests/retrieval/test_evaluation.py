"""Metric functions on hand-made rankings, and the question file loader."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from retrieval.errors import RetrievalError
from retrieval.evaluation import (
    abstention_scores,
    load_questions,
    ndcg_at,
    ranking_metrics,
    recall_at,
    reciprocal_rank,
)


def test_ranking_metrics_by_hand() -> None:
    assert recall_at(["a", "b", "c"], ["c", "z"], 3) == 0.5
    assert recall_at(["a", "b", "c"], ["c"], 2) == 0.0
    assert reciprocal_rank(["a", "b", "c"], ["c"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], ["z"]) == 0.0
    assert ndcg_at(["x", "a"], ["a"], 5) == pytest.approx(1 / math.log2(3))
    m = ranking_metrics([["a", "b"], ["b", "a"]], [["a"], ["a"]])
    assert (m.recall_at_1, m.mrr) == (0.5, 0.75)


def test_abstention_precision_recall() -> None:
    precision, recall = abstention_scores([True, True, False, False], [True, False, True, False])
    assert (precision, recall) == (0.5, 0.5)


def test_load_questions_file_and_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "- question: one\n  relevant: [x]\n- question: two\n  abstain: true\n"
    )
    (tmp_path / "b.yaml").write_text("questions:\n  - question: three\n    relevant: [y, z]\n")
    questions = load_questions(tmp_path)
    assert [(q.question, q.relevant, q.must_abstain) for q in questions] == [
        ("one", ("x",), False),
        ("two", (), True),
        ("three", ("y", "z"), False),
    ]
    (tmp_path / "c.yaml").write_text("- relevant: [x]\n")
    with pytest.raises(RetrievalError, match="entry 1 has no 'question'"):
        load_questions(tmp_path / "c.yaml")


def test_dev_set_meets_its_own_spec() -> None:
    questions = load_questions(Path("tests/data/dev_questions"))
    answerable = [q for q in questions if not q.must_abstain]
    assert len(answerable) >= 60
    assert len(questions) - len(answerable) >= 10
    ids = {p.stem for p in Path("playbooks").rglob("*.md") if p.name != "README.md"}
    assert {r for q in answerable for r in q.relevant} <= ids


def test_best_threshold_sits_in_a_gap_and_prefers_balance() -> None:
    from retrieval.evaluation import best_threshold

    threshold, f1 = best_threshold([0.1, 0.2, 0.5, 0.6], [True, True, False, False])
    assert threshold == 0.35 and f1 == 1.0
    # overlapping groups: the cut just above the high must-abstain question has the best F1
    threshold, f1 = best_threshold([0.1, 0.40, 0.45, 0.6, 0.7], [True, False, True, False, False])
    assert (threshold, round(f1, 3)) == (0.525, 0.8)
