"""Issue 11, item 6, with the real ``advisor`` executable: every failure is one line on stderr
with the fix and the documented exit code (2 bad input, 1 otherwise), never a traceback; bad
settings are refused at start naming the variable; an empty variable counts as unset."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fakes.corpus import write_small_corpus
from tests.reliability.conftest import run_cli

pytestmark = pytest.mark.separate_process


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


@pytest.mark.parametrize("command", [["groups", "list"], ["commitments", "list"]])
def test_an_unmigrated_database_says_run_db_upgrade(
    backend_url: str, tmp_path: Path, command: list[str]
) -> None:
    result = run_cli(command, {"ADVISOR_DATABASE_URL": backend_url}, cwd=tmp_path)
    assert result.returncode == 1
    assert "run `advisor db upgrade`" in one_line_error(result)


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://advisor:pw-0451@127.0.0.1:9/advisor"
    for command in (["groups", "list"], ["commitments", "list"]):
        result = run_cli(command, {"ADVISOR_DATABASE_URL": url}, cwd=tmp_path)
        assert result.returncode == 1, command
        line = one_line_error(result)
        assert "cannot reach the database" in line
        assert "pw-0451" not in result.stderr


@pytest.mark.parametrize(
    ("command", "url"),
    [(["groups", "list"], "bogus"), (["commitments", "list"], "postgresql://[::1")],
)
def test_a_bogus_database_url_is_bad_input(tmp_path: Path, command: list[str], url: str) -> None:
    result = run_cli(command, {"ADVISOR_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2
    assert "ADVISOR_DATABASE_URL" in one_line_error(result)


def test_eval_on_a_program_file_is_bad_input(tmp_path: Path) -> None:
    program = Path("/bin/true")
    if not program.is_file():  # pragma: no cover - every Linux CI image has it
        pytest.skip("no /bin/true here")
    result = run_cli(["eval", str(program)], {}, cwd=tmp_path)
    assert result.returncode == 2
    assert "/bin/true is not UTF-8 text" in one_line_error(result)


def test_an_index_dir_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    hostname = tmp_path / "hostname"  # like /etc/hostname: a file where a folder should be
    hostname.write_text("advisor-host\n")
    env = {
        "ADVISOR_INDEX_DIR": str(hostname),
        "ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "ADVISOR_PLAYBOOKS_DIR": str(write_small_corpus(tmp_path / "playbooks")),
    }
    result = run_cli(["ask", "x"], env, cwd=tmp_path)
    assert result.returncode == 2
    line = one_line_error(result)
    assert str(hostname) in line and "ADVISOR_INDEX_DIR" in line


BAD_SETTINGS = {
    "ADVISOR_DEFAULT_TIMEZONE": ("Mars/Olympus_Mons", "unknown timezone"),
    "ADVISOR_LOG_LEVEL": ("chatty", "unknown log level"),
    "ADVISOR_ANSWER_TIMEOUT_SECONDS": ("nan", "finite number"),
    "ADVISOR_CHECKIN_POSTS_PER_MINUTE": ("99999999", "less than or equal to"),
}


def test_serve_refuses_bad_settings_at_start_naming_each(tmp_path: Path) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "ADVISOR_DATA_DIR": str(tmp_path / "data"),
        **{variable: value for variable, (value, _) in BAD_SETTINGS.items()},
    }
    result = run_cli(["serve"], env, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    line = one_line_error(result)
    for variable, (_, expected) in BAD_SETTINGS.items():
        assert f"{variable}: " in line
        assert expected in line.split(f"{variable}: ", 1)[1]


def test_an_empty_variable_counts_as_unset(tmp_path: Path) -> None:
    env = {
        "ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "ADVISOR_DATABASE_URL": "",
        "ADVISOR_PORT": "",
        "ADVISOR_LOG_LEVEL": "",
        "ADVISOR_DEFAULT_TIMEZONE": "",
    }
    upgrade = run_cli(["db", "upgrade"], env, cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    listed = run_cli(["groups", "list"], env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert (tmp_path / "data" / "advisor.db").exists()  # the default database was used
