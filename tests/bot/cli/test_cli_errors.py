"""The CLI's root error handler: one line on stderr with the fix, and the documented exit code
(issue 11, item 6). In-process with Typer's runner; ``tests/reliability`` runs the real
``advisor`` executable for the same cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cli.errors import describe_failure
from bot.cli.main import app

runner = CliRunner()


def one_line_error(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("ADVISOR_DATABASE_URL", "ADVISOR_INDEX_DIR", "ADVISOR_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path


@pytest.mark.parametrize("command", [["groups", "list"], ["commitments", "list"]])
def test_listing_an_unmigrated_database_says_run_db_upgrade(
    clean_env: Path, db_url: str, command: list[str]
) -> None:
    result = runner.invoke(app, command, env={"ADVISOR_DATABASE_URL": db_url})
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "run `advisor db upgrade`" in line


def test_after_db_upgrade_the_same_command_works(clean_env: Path, db_url: str) -> None:
    env = {"ADVISOR_DATABASE_URL": db_url}
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(app, ["groups", "list"], env=env)
    assert result.exit_code == 0, result.output


def test_an_unreachable_database_is_one_line_without_the_password(clean_env: Path) -> None:
    env = {"ADVISOR_DATABASE_URL": "postgresql://advisor:s3cret-pw@127.0.0.1:9/advisor"}
    result = runner.invoke(app, ["groups", "list"], env=env)
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "cannot reach the database" in line and "ADVISOR_DATABASE_URL" in line
    assert "s3cret-pw" not in result.stderr


@pytest.mark.parametrize("url", ["bogus", "foo://x/y", "postgresql://[::1"])
def test_a_bogus_database_url_is_bad_input(clean_env: Path, url: str) -> None:
    result = runner.invoke(app, ["commitments", "list"], env={"ADVISOR_DATABASE_URL": url})
    assert result.exit_code == 2
    assert "ADVISOR_DATABASE_URL: not a database URL" in one_line_error(result)


def test_a_file_that_is_not_a_database_is_bad_input(clean_env: Path) -> None:
    not_a_db = clean_env / "notes.txt"
    not_a_db.write_text("hello\n" * 100)
    env = {"ADVISOR_DATABASE_URL": f"sqlite:///{not_a_db}"}
    result = runner.invoke(app, ["groups", "list"], env=env)
    assert result.exit_code == 2
    assert "is not an SQLite database" in one_line_error(result)


def test_eval_on_a_binary_file_is_bad_input(clean_env: Path) -> None:
    binary = clean_env / "true.yaml"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(128, 256)))
    result = runner.invoke(app, ["eval", str(binary)])
    assert result.exit_code == 2
    assert f"{binary} is not UTF-8 text" in one_line_error(result)


def test_an_index_dir_that_is_a_file_is_bad_input(
    clean_env: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = clean_env / "hostname"
    a_file.write_text("host\n")
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(a_file))
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(corpus_dir))
    result = runner.invoke(app, ["ask", "x"])
    assert result.exit_code == 2
    line = one_line_error(result)
    assert str(a_file) in line and "ADVISOR_INDEX_DIR" in line


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ADVISOR_DEFAULT_TIMEZONE", "Mars/Base"),
        ("ADVISOR_LOG_LEVEL", "loud"),
        ("ADVISOR_ANSWER_TIMEOUT_SECONDS", "nan"),
        ("ADVISOR_PORT", "0"),
    ],
)
def test_serve_refuses_bad_settings_at_start_naming_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert f"bad setting {variable}:" in one_line_error(result)


def test_an_unexpected_error_is_one_line_and_traceback_is_on_request() -> None:
    code, line = describe_failure(ZeroDivisionError("division by zero"))
    assert code == 1
    assert line.startswith("unexpected ZeroDivisionError: division by zero")
    assert "--traceback" in line


def test_the_database_url_shown_never_has_its_password() -> None:
    from bot.cli.errors import safe_url

    shown = safe_url("postgresql+psycopg://u:pw-123@h/db")
    assert "pw-123" not in shown and make_url(shown).host == "h"
