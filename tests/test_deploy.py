"""``deploy/``: the systemd units verify, and they run commands and settings that exist.

``systemd-analyze verify`` (Debian's ``systemd`` package; skipped where it is missing) checks
the units as systemd itself reads them, with ``/opt/policy-advisor/.venv/bin/advisor``
pointed at this checkout's ``advisor`` (verify requires the executable to exist). The other
tests need no systemd: the units parse as INI files with the keys this guide relies on,
their ``ExecStart`` lines are real ``advisor`` commands, and the environment template
names only real settings, with values the settings accept.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
INSTALLED_ADVISOR = "/opt/policy-advisor/.venv/bin/advisor"
UNITS = ("advisor.service", "advisor-purge.service", "advisor-purge.timer")
ENV_FILE = "/etc/policy-advisor/advisor.env"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"), source=name)
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    advisor = Path(sys.executable).with_name("advisor")
    assert advisor.is_file()
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALLED_ADVISOR, str(advisor)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *(f"./{name}" for name in UNITS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # verify exits 0 on a bad value or an unknown key too, so any message fails the test.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_parses_with_its_sections(name: str) -> None:
    parsed = unit(name)
    kind = name.rsplit(".", 1)[1]
    assert parsed.sections()[0] == "Unit" and parsed["Unit"]["Description"]
    assert kind.capitalize() in parsed.sections()
    if kind == "service":
        service = parsed["Service"]
        assert service["User"] == "advisor" and service["EnvironmentFile"] == ENV_FILE
        assert service["ExecStart"].startswith(INSTALLED_ADVISOR + " ")


def exec_args(name: str) -> list[str]:
    return shlex.split(unit(name)["Service"]["ExecStart"])[1:]


@pytest.mark.parametrize(
    ("name", "command"),
    [("advisor.service", ["serve"]), ("advisor-purge.service", ["questions", "purge"])],
)
def test_exec_start_runs_a_real_advisor_command(name: str, command: list[str]) -> None:
    args = exec_args(name)
    assert args == command
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output


def test_serve_waits_for_answers_in_flight_before_being_killed() -> None:
    service = unit("advisor.service")["Service"]
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    stop_seconds = int(service["TimeoutStopSec"])
    assert stop_seconds > Settings(_env_file=None).answer_timeout_seconds  # type: ignore[call-arg]
    assert unit("advisor.service")["Install"]["WantedBy"] == "multi-user.target"


def test_the_purge_runs_daily_and_catches_up_after_downtime() -> None:
    timer = unit("advisor-purge.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 03:30:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["Unit"] == "advisor-purge.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert unit("advisor-purge.service")["Service"]["Type"] == "oneshot"


def env_template() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "advisor.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep and key == key.strip() and key.isupper(), line
            values[key] = value
    return values


def setting_variables() -> set[str]:
    names = set()
    for field, info in Settings.model_fields.items():
        choices = getattr(info.validation_alias, "choices", None)
        names.add(str(choices[0]) if choices else f"ADVISOR_{field.upper()}")
    return names


def test_the_environment_template_names_real_settings_with_valid_values(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    template = env_template()
    assert set(template) <= setting_variables()
    assert template["ADVISOR_DATABASE_URL"].startswith("postgresql+psycopg://")
    monkeypatch.chdir(tmp_path)  # no stray .env
    for key, value in template.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.log_format == "json" and settings.health_port is None
    assert str(settings.data_dir) == "/var/lib/policy-advisor"
    assert settings.slack_app_token is None  # HTTP mode unless filled in


def test_the_guide_covers_what_operators_need() -> None:
    guide = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for topic in (
        "PostgreSQL",
        "load balancer",
        "Socket Mode",
        "one process",
        "Backups",
        "advisor db upgrade",
        "ADVISOR_HEALTH_PORT",
        "/metrics",
    ):
        assert topic in guide, topic
    for name in (*UNITS, "advisor.env.example"):
        assert f"`{name}`" in guide and (DEPLOY / name).is_file()
