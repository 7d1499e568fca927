"""``advisor eval`` prints recall@1 beside "first right" and recall@1's ceiling (small corpus,
fake model): a question two documents answer counts as half found by recall@1 even when the
first document is one of them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from bot.cli.context import CliContext
from bot.cli.main import app
from tests.fakes.embedder import HashEmbedder


def run_eval(corpus_dir: Path, data_dir: Path, questions: Path) -> Result:
    """``advisor eval QUESTIONS`` over ``corpus_dir`` with the fake model, 200 columns wide."""
    env = {
        "ADVISOR_PLAYBOOKS_DIR": str(corpus_dir),
        "ADVISOR_DATA_DIR": str(data_dir),
        "COLUMNS": "200",
    }
    return CliRunner().invoke(
        app,
        ["eval", str(questions)],
        env=env,
        obj=CliContext(embedder=lambda settings: HashEmbedder()),
    )


def test_eval_reports_first_right_and_the_recall_at_1_ceiling(
    corpus_dir: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        "- question: How long should camera footage retention last?\n"
        "  relevant: [footage-retention, guides-charter]\n",
        encoding="utf-8",
    )
    result = run_eval(corpus_dir, tmp_path / "data", questions)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "hybrid" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[:3] == ["hybrid", "0.500", "1.000"]  # recall@1, first right
    assert "its ceiling here is 0.500" in " ".join(result.output.split())
