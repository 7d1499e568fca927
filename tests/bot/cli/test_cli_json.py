"""The CLI for scripts and readers: ``--version``, ``--json`` on the admin lists, and help
text that names value types as a command line does (no ``<list[str]>``)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version

import pytest
from typer.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.main import app
from storage.engine import SessionFactory
from tests.fakes.clock import FakeClock
from tests.storage.helpers import T0, make_commitment, make_group

runner = CliRunner()
AT_T0 = CliContext(clock=FakeClock(T0))  # Monday 2026-03-02 12:00 UTC


@pytest.fixture
def env(db_url: str, session_factory: SessionFactory) -> dict[str, str]:
    long_ago = T0 - timedelta(days=30)
    with session_factory() as session:
        group = make_group(session, timezone="America/Los_Angeles", now=long_ago)
        make_commitment(session, group, title="late item", due=date(2026, 2, 1), now=long_ago)
        make_commitment(session, group, title="future item", due=date(2099, 1, 1), now=long_ago)
        make_group(session, name="mobility", now=long_ago)
    return {"ADVISOR_DATABASE_URL": db_url, "ADVISOR_DEFAULT_TIMEZONE": "America/Los_Angeles"}


def run_json(args: list[str], env: dict[str, str]) -> object:
    result = runner.invoke(app, args, env=env, obj=AT_T0)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"advisor {version('policy-advisor')}\n"


def test_groups_list_json(env: dict[str, str]) -> None:
    groups = run_json(["groups", "list", "--json"], env)
    assert isinstance(groups, list)
    by_name = {group["name"]: group for group in groups}
    privacy = by_name["privacy"]
    assert privacy["open_commitments"] == 2 and privacy["archived"] is False
    assert privacy["timezone"] == "America/Los_Angeles" and privacy["problem"] is None
    # Monday 09:00 in Los Angeles, after the injected Monday 04:00 there, in UTC (PST).
    assert privacy["next_checkin"] == "2026-03-02T17:00:00+00:00"
    assert by_name["mobility"]["next_checkin"] == "2026-03-09T09:00:00+00:00"


def test_commitments_list_json(env: dict[str, str]) -> None:
    rows = run_json(["commitments", "list", "--json"], env)
    assert [(row["title"], row["overdue"], row["status"]) for row in rows] == [
        ("late item", True, "open"),
        ("future item", False, "open"),
    ]
    assert rows[0]["due_date"] == "2026-02-01" and rows[0]["group"] == "privacy"
    overdue = run_json(["commitments", "list", "--overdue", "--json"], env)
    assert [row["title"] for row in overdue] == ["late item"]


def test_checkins_due_json(env: dict[str, str]) -> None:
    due = run_json(["checkins", "due", "--at", "2026-03-09T09:30", "--json"], env)
    assert due["at"] == "2026-03-09T16:30:00+00:00"
    kinds = {(row["kind"], row["title"]) for row in due["due"]}
    assert ("check-in", "late item") in kinds and ("escalation", "late item") in kinds
    (escalation,) = [row for row in due["due"] if row["kind"] == "escalation"]
    assert escalation["days_overdue"] > 3 and escalation["to"] == "ULEAD"
    quiet = run_json(["checkins", "due", "--at", "2026-03-10T09:30-07:00", "--json"], env)
    assert quiet == {"at": "2026-03-10T16:30:00+00:00", "due": []}


def test_the_tables_are_unchanged_without_json(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["commitments", "list"], env=env, obj=AT_T0)
    assert result.exit_code == 0, result.output
    assert "open (overdue)" in result.output and not result.output.lstrip().startswith("[")


HELP_PAGES = [
    ["--help"],
    ["ask", "--help"],
    ["index", "--help"],
    ["eval", "--help"],
    ["playbooks", "validate", "--help"],
    ["questions", "purge", "--help"],
    ["groups", "list", "--help"],
    ["commitments", "list", "--help"],
    ["checkins", "due", "--help"],
    ["serve", "--help"],
]


@pytest.mark.parametrize("args", HELP_PAGES, ids=lambda args: " ".join(args))
def test_help_names_no_python_types(args: list[str]) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    leaked = re.findall(r"<(?:str|int|float|bool|list\[[^\]]*\]|Path|datetime)>", result.output)
    assert leaked == []


def test_kind_help_lists_the_choices() -> None:
    result = runner.invoke(app, ["ask", "--help"], env={"COLUMNS": "120"})
    assert "[playbook|case-note]" in result.output
    assert re.search(r"--tag\s+TEXT", result.output)


def test_a_time_in_the_json_is_an_aware_iso_string(env: dict[str, str]) -> None:
    groups = run_json(["groups", "list", "--json"], env)
    for group in groups:
        when = datetime.fromisoformat(group["next_digest"])
        assert when.tzinfo is not None and when.utcoffset() == UTC.utcoffset(when)
