"""The `advisor` CLI in-process: answers, validation exit codes, and one-line errors."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.main import app
from tests.conftest import SHIPPED_PLAYBOOKS
from tests.fakes.clock import FakeClock

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.mark.model
def test_ask_json_answers_from_the_shipped_playbooks(
    env: Path, shipped_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = env / "index"
    shutil.copytree(shipped_index_dir, index_dir)
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(SHIPPED_PLAYBOOKS))
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(index_dir))
    result = runner.invoke(app, ["ask", "who should sit on a privacy working group?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["abstained"] is False
    assert data["citations"] and data["sentences"]
    result = runner.invoke(
        app, ["ask", "privacy rules", "--kind", "case-note", "--city", "Seattle", "--json"]
    )
    data = json.loads(result.stdout)
    assert {c["city"] for c in data["citations"]} <= {"Seattle, WA, USA"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "the question is empty"),
        (["ask", "x" * 20_000], "keep it under"),
    ],
)
def test_bad_questions_get_one_line_errors(env: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_kind_is_a_choice(env: Path) -> None:
    result = runner.invoke(app, ["ask", "hi", "--kind", "memo"])
    assert result.exit_code == 2
    assert "Invalid value for '--kind'" in result.stderr
    assert "'playbook'" in result.stderr and "'case-note'" in result.stderr
    assert "Traceback" not in result.output


def test_missing_playbooks_dir_is_a_clear_error(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(env / "nowhere"))
    result = runner.invoke(app, ["playbooks", "validate"])
    assert result.exit_code == 2
    assert "playbooks folder not found" in result.stderr


def test_validate_exits_non_zero_on_errors(env: Path, corpus_dir: Path) -> None:
    assert runner.invoke(app, ["playbooks", "validate", str(corpus_dir)]).exit_code == 0
    (corpus_dir / "guides" / "bad.md").write_text("---\ntitle: x\n---\nbody\n")
    result = runner.invoke(app, ["playbooks", "validate", str(corpus_dir)])
    assert result.exit_code == 1
    assert "guides/bad.md:2: error: kind must be" in result.stdout
    assert "1 errors" in result.stdout


def test_validate_review_dates_follow_the_injected_clock(env: Path, corpus_dir: Path) -> None:
    """The fixture corpus says updated 2026-01-01, review_by 2099-01-01."""

    def validate_at(when: datetime) -> str:
        obj = CliContext(clock=FakeClock(when))
        return runner.invoke(app, ["playbooks", "validate", str(corpus_dir)], obj=obj).stdout

    assert "0 errors, 0 warnings" in validate_at(datetime(2026, 6, 1, tzinfo=UTC))
    late = validate_at(datetime(2099, 1, 2, 0, 30, tzinfo=UTC))
    assert "review_by 2099-01-01 has passed" in late and "3 warnings" in late
    early = validate_at(datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    assert "updated 2026-01-01 is in the future" in early and "3 errors" in early


def test_bad_setting_is_a_one_line_error(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_FUSION", "magic")
    result = runner.invoke(app, ["ask", "hello"])
    assert result.exit_code == 2
    assert "bad setting ADVISOR_FUSION" in result.stderr  # the variable, as the user set it
    assert len(result.stderr.strip().splitlines()) == 1


def test_newer_index_format_is_a_one_line_error_and_kept(
    env: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = env / "index"
    (index_dir / "gen-1").mkdir(parents=True)
    (index_dir / "gen-1" / "manifest.json").write_text('{"format": 99}')
    (index_dir / "CURRENT").write_text("gen-1\n")
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(corpus_dir))
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(index_dir))
    for args in (["ask", "retention?"], ["index"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert "newer than this version" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert (index_dir / "gen-1" / "manifest.json").read_text() == '{"format": 99}'


def test_empty_playbooks_dir_is_a_clear_error(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (env / "empty").mkdir()
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(env / "empty"))
    for args in (["ask", "anything?"], ["index"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "no loadable playbooks" in result.stderr


def test_index_up_to_date_does_not_load_the_model(
    env: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrieval.documents import load_corpus
    from retrieval.index import build_index
    from tests.fakes.embedder import HashEmbedder

    index_dir = env / "index"
    build_index(load_corpus(corpus_dir), HashEmbedder(name="fake-model"), index_dir)
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(corpus_dir))
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("ADVISOR_EMBEDDING_MODEL", "fake-model")  # not loadable: must not be loaded
    result = runner.invoke(app, ["index"])
    assert result.exit_code == 0, result.output
    assert "index up to date (3 files" in result.stdout
    (corpus_dir / "guides" / "charter.md").write_text("---\ntitle: C\nkind: playbook\n---\nNew.\n")
    result = runner.invoke(app, ["index"])
    assert result.exit_code == 1
    assert "cannot load embedding model 'fake-model'" in result.stderr


def test_the_cli_imports_no_database_slack_or_model_library_until_a_command_needs_it(
    tmp_path: Path,
) -> None:
    """`ask` and `index` start without SQLAlchemy, Alembic, slack_bolt, torch or faiss, nor
    rich until something is printed through it (issue 15, item 4); `advisor db` still finds
    its commands."""
    import subprocess
    import sys

    heavy = (
        "sqlalchemy",
        "sqlmodel",
        "alembic",
        "slack_bolt",
        "slack_sdk",
        "torch",
        "rich",
        "faiss",
    )
    probe = (
        "import sys, bot.cli.main\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r}))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert loaded.stdout.strip() == "[]", loaded.stdout
    result = runner.invoke(app, ["db", "--help"])
    assert result.exit_code == 0 and "upgrade" in result.stdout


_ASK_PROBE = """
import json, sys
from bot.cli.context import CliContext
from bot.cli.main import app
from tests.fakes.embedder import HashEmbedder

try:
    app(["ask", sys.argv[1], "--json"], obj=CliContext(embedder=lambda s: HashEmbedder(name="fake-model")))
except SystemExit as exit:
    code = exit.code
sys.stderr.write(json.dumps({"code": code, "modules": sorted(m.split(".")[0] for m in sys.modules)}))
"""


def _ask_in_a_fresh_process(question: str, env: dict[str, str], cwd: Path) -> tuple[dict, set]:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-c", _ASK_PROBE, question],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, **env, "PYTHONPATH": str(root)},
    )
    info = json.loads(proc.stderr.strip().splitlines()[-1])
    assert info["code"] in (0, None), proc.stderr[-2000:]
    return json.loads(proc.stdout), set(info["modules"])


def test_ask_on_a_current_index_parses_no_yaml_and_loads_no_speller_library(
    tmp_path: Path,
) -> None:
    """A cold `ask` whose index is current reads no playbook, so PyYAML is never imported,
    and a question with no unknown word never needs rapidfuzz (issue 15, third pass); a
    misspelled one still gets its correction."""
    from retrieval.documents import load_corpus
    from retrieval.index import build_index
    from tests.fakes.corpus import write_small_corpus
    from tests.fakes.embedder import HashEmbedder

    corpus_dir = write_small_corpus(tmp_path / "playbooks")
    build_index(load_corpus(corpus_dir), HashEmbedder(name="fake-model"), tmp_path / "index")
    env = {
        "ADVISOR_PLAYBOOKS_DIR": str(corpus_dir),
        "ADVISOR_INDEX_DIR": str(tmp_path / "index"),
        "ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "ADVISOR_EMBEDDING_MODEL": "fake-model",
    }
    answer, modules = _ask_in_a_fresh_process("How long is camera footage kept?", env, tmp_path)
    assert answer["citations"] and answer["corrections"] == []
    assert modules & {"yaml", "rapidfuzz"} == set()
    answer, modules = _ask_in_a_fresh_process("How long is camera footgae kept?", env, tmp_path)
    assert answer["corrections"] == [{"typed": "footgae", "read_as": "footage"}]
    assert "rapidfuzz" in modules and "yaml" not in modules
