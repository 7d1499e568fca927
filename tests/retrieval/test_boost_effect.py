"""``advisor eval`` shows what curator boosts do: ranking with and without them and each
boosted document's rank changes (small corpus, fake model)."""

from __future__ import annotations

from pathlib import Path

from retrieval.boosts import boost_effect, without_boosts
from retrieval.engine import Advisor
from retrieval.evaluation import EvalQuestion
from tests.bot.cli.test_cli_eval import run_eval
from tests.retrieval.conftest import advisor_over

QUESTION = "Who decides in the working group and who approves a footage hold?"


def boost(corpus_dir: Path, relative: str, factor: float) -> None:
    path = corpus_dir / relative
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", f"---\nboost: {factor}\n", 1), encoding="utf-8")


def open_advisor(corpus_dir: Path, tmp_path: Path) -> Advisor:
    return advisor_over(corpus_dir, tmp_path / "idx")


def test_a_boost_moves_its_document_and_the_metrics_say_so(
    corpus_dir: Path, tmp_path: Path
) -> None:
    plain = open_advisor(corpus_dir, tmp_path / "plain")
    order = [h.chunk.doc_id for h in plain.search(QUESTION)]
    last = list(dict.fromkeys(order))[-1]
    boost(corpus_dir, plain.index.documents[last]["path"], 2.0)
    advisor = open_advisor(corpus_dir, tmp_path / "boosted")
    assert advisor.index.boosts == {last: 2.0}
    assert without_boosts(advisor).index.boosts == {} and advisor.index.boosts  # a copy
    questions = [EvalQuestion(QUESTION, (last,)), EvalQuestion("zzz qqq", ())]
    effect = boost_effect(advisor, questions)
    assert effect is not None
    [change] = effect.changes
    assert change.doc_id == last and change.relevant
    assert change.rank_with is not None and change.rank_without is not None
    assert change.rank_with < change.rank_without
    assert effect.with_boosts.mrr > effect.without_boosts.mrr
    assert effect.with_boosts.questions == effect.without_boosts.questions == 1
    assert boost_effect(plain, questions) is None  # no boosts, nothing to show


def test_advisor_eval_prints_the_effect(corpus_dir: Path, tmp_path: Path) -> None:
    boost(corpus_dir, "guides/charter.md", 0.5)
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        "- question: Who decides in a working group charter?\n  relevant: [guides-charter]\n",
        encoding="utf-8",
    )
    result = run_eval(corpus_dir, tmp_path / "data", questions)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "curator boosts (guides-charter ×0.5): without → with: recall@1 1.000 → 0.000" in flat
    assert "guides-charter ×0.5: rank 1 → 2 (relevant) for “Who decides" in flat
