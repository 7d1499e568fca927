"""Metric functions on hand-made rankings, and the question file loader."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from retrieval.errors import RetrievalError
from retrieval.evaluation import (
    abstention_scores,
    fact_present,
    facts_found,
    junk_in,
    load_questions,
    ndcg_at,
    ranking_metrics,
    recall_at,
    reciprocal_rank,
)
from retrieval.models import Action, Answer, Peer, Sentence
from retrieval.text import tokenize


def test_ranking_metrics_by_hand() -> None:
    assert recall_at(["a", "b", "c"], ["c", "z"], 3) == 0.5
    assert recall_at(["a", "b", "c"], ["c"], 2) == 0.0
    assert reciprocal_rank(["a", "b", "c"], ["c"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], ["z"]) == 0.0
    assert ndcg_at(["x", "a"], ["a"], 5) == pytest.approx(1 / math.log2(3))
    m = ranking_metrics([["a", "b"], ["b", "a"]], [["a"], ["a"]])
    assert (m.recall_at_1, m.mrr) == (0.5, 0.75)
    # two documents answer the second question: recall@1 gives its right first document
    # half credit, "first right" full credit, and the ceiling says so
    m = ranking_metrics([["a", "b"], ["b", "a"], ["x", "a"]], [["a"], ["a", "b"], ["a"]])
    assert m.recall_at_1 == pytest.approx(1.5 / 3)
    assert m.first_right == pytest.approx(2 / 3)
    assert m.recall_at_1_ceiling == pytest.approx(2.5 / 3)


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
    # overlapping groups: refusing the answerable question at 0.40 to catch the must-abstain
    # one at 0.45 has the better F1 (0.8), but a wrongful refusal weighs double: the cut
    # stays under the answerable question (F0.5 0.833 against 0.714)
    threshold, f1 = best_threshold([0.1, 0.40, 0.45, 0.6, 0.7], [True, False, True, False, False])
    assert (threshold, round(f1, 3)) == (0.25, 0.667)


def test_best_threshold_keeps_a_margin_from_every_question() -> None:
    """A cut squeezed between two questions 0.001 apart would flip on a paraphrase: the
    calibration takes the best cut that clears every question by THRESHOLD_MARGIN."""
    from retrieval.evaluation import THRESHOLD_MARGIN, best_threshold

    confidences = [0.30, 0.359, 0.361, 0.369, 0.370, 0.383]
    must_abstain = [True, True, True, True, False, False]
    threshold, f1 = best_threshold(confidences, must_abstain)
    assert threshold == 0.365 and round(f1, 3) == 0.857  # not 0.3695, 0.0005 from two questions
    assert all(abs(threshold - c) >= THRESHOLD_MARGIN for c in confidences)


def test_a_fact_is_present_when_most_of_its_content_words_are() -> None:
    words = set(tokenize("Council scaled the center back to the Port and the airport in 2014."))
    assert fact_present("council scaled the Domain Awareness Center back to the Port", words)
    assert not fact_present("Ad Hoc Privacy Committee of residents wrote the policy", words)
    assert not fact_present("the and of", words)  # no content words: never present


def _answer(sentences: list[str], actions: list[str] = (), peers: list[str] = ()) -> Answer:  # type: ignore[assignment]
    return Answer(
        question="q",
        abstained=False,
        sentences=tuple(Sentence(s, 1) for s in sentences),
        actions=tuple(Action(a, 1) for a in actions),
        peers=tuple(Peer("City", "Title", p, 1) for p in peers),
    )


def test_facts_count_anywhere_in_the_answer_and_never_in_an_abstention() -> None:
    answer = _answer(
        ["Keep footage for 30 days by default."],
        actions=["Require a case number for every hold."],
        peers=["Seattle votes on each surveillance technology."],
    )
    facts = ["default of 30 days", "case number for every hold", "port center scaled back"]
    assert facts_found(answer, facts) == [True, True, False]
    assert facts_found(Answer(question="q", abstained=True), facts) == [False] * 3


def test_junk_is_found_in_sentences_and_peer_summaries() -> None:
    clean = _answer(["Keep footage for 30 days by default."], actions=["Set up a hold process."])
    assert junk_in(clean) == []
    dirty = _answer(
        ["See the retention guide for the full approach."],
        peers=["Condensed from the city's annual reports and news coverage."],
    )
    assert [reason for _, reason in junk_in(dirty)] == ["cross-reference", "describes the file"]


def test_key_facts_are_loaded_and_must_be_text(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        '- question: one\n  relevant: [x]\n  key_facts: ["keep 30 days", "hold process"]\n'
    )
    assert load_questions(tmp_path)[0].key_facts == ("keep 30 days", "hold process")
    (tmp_path / "a.yaml").write_text("- question: one\n  relevant: [x]\n  key_facts: 3\n")
    with pytest.raises(RetrievalError, match="'key_facts' must be a list"):
        load_questions(tmp_path)
