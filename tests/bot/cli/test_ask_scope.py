"""``advisor ask`` narrowed inline (``in:case-notes city:Seattle …``): the filters apply and
the answer says which scope it used, in the text and in ``--json`` (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.main import app
from tests.fakes.embedder import HashEmbedder

runner = CliRunner()
FAKE = CliContext(embedder=lambda settings: HashEmbedder(name=settings.embedding_model))


@pytest.fixture(autouse=True)
def library(corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(corpus_dir))
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVISOR_ABSTAIN_THRESHOLD", "0.2")


def test_inline_words_narrow_the_question_and_the_json_says_so() -> None:
    result = runner.invoke(
        app, ["ask", "in:case-notes city:Seattle who reviews each technology?", "--json"], obj=FAKE
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["question"] == "who reviews each technology?"
    assert data["scope"] == {
        "kinds": ["case-note"],
        "tags": [],
        "cities": ["Seattle"],
        "from_channel": False,
        "inline": True,
    }
    assert data["citations"] and {c["kind"] for c in data["citations"]} == {"case-note"}


def test_the_text_answer_names_its_scope_and_options_combine_with_inline_words() -> None:
    result = runner.invoke(
        app, ["ask", "tag:cameras how long is footage kept?", "--kind", "playbook"], obj=FAKE
    )
    assert result.exit_code == 0, result.output
    assert "Scope: playbooks · tag cameras" in " ".join(result.stdout.split())
    plain = runner.invoke(app, ["ask", "how long is footage kept?", "--json"], obj=FAKE)
    assert json.loads(plain.stdout)["scope"]["kinds"] == []


def test_an_unknown_kind_is_bad_input() -> None:
    result = runner.invoke(app, ["ask", "in:memos anything"], obj=FAKE)
    assert result.exit_code == 2
    assert "unknown kind 'memos': use playbooks or case-notes" in result.output
