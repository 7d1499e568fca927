"""The admin sub-apps, in-process with Typer's runner, on both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from bot.cli.admin import checkins_app, commitments_app, db_app, groups_app
from storage.engine import SessionFactory
from tests.storage.helpers import T0, make_commitment, make_group

runner = CliRunner()


@pytest.fixture
def env(db_url: str, session_factory: SessionFactory) -> dict[str, str]:
    with session_factory() as session:
        group = make_group(session, timezone="America/Los_Angeles", now=T0 - timedelta(days=30))
        make_commitment(
            session, group, title="late item", due=date(2026, 2, 1), now=T0 - timedelta(days=30)
        )
        make_commitment(
            session, group, title="future item", due=date(2099, 1, 1), now=T0 - timedelta(days=30)
        )
        make_group(session, name="mobility")
    return {"ADVISOR_DATABASE_URL": db_url, "ADVISOR_DEFAULT_TIMEZONE": "America/Los_Angeles"}


def test_db_upgrade(db_url: str) -> None:
    result = runner.invoke(db_app, ["upgrade"], env={"ADVISOR_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert "revision 0001" in result.output


def test_groups_list(env: dict[str, str]) -> None:
    result = runner.invoke(groups_app, ["list"], env=env)
    assert result.exit_code == 0, result.output
    assert "privacy" in result.output and "mobility" in result.output
    assert "America/Los_Angeles" in result.output


def test_commitments_list_overdue_and_group(env: dict[str, str]) -> None:
    overdue = runner.invoke(commitments_app, ["list", "--overdue"], env=env)
    assert overdue.exit_code == 0, overdue.output
    assert "late item" in overdue.output and "future item" not in overdue.output
    by_group = runner.invoke(commitments_app, ["list", "--group", "privacy"], env=env)
    assert "late item" in by_group.output and "future item" in by_group.output
    unknown = runner.invoke(commitments_app, ["list", "--group", "nope"], env=env)
    assert unknown.exit_code == 2
    assert "no working group named 'nope'" in unknown.output


def test_checkins_due_at_a_time_sends_nothing(env: dict[str, str]) -> None:
    monday_nine = "2026-03-09T09:30"  # local to ADVISOR_DEFAULT_TIMEZONE
    result = runner.invoke(checkins_app, ["due", "--at", monday_nine], env=env)
    assert result.exit_code == 0, result.output
    assert "check-in" in result.output and "late item" in result.output
    assert "escalation" in result.output
    assert "2026-03-09T09:00" in result.output
    quiet = runner.invoke(checkins_app, ["due", "--at", "2026-03-10T09:30-07:00"], env=env)
    assert "nothing is due" in quiet.output
    bad = runner.invoke(checkins_app, ["due", "--at", "next tuesday-ish"], env=env)
    assert bad.exit_code == 2 and "ISO 8601" in bad.output
