"""The admin sub-apps, in-process with Typer's runner, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from bot.cli.admin import checkins_app, commitments_app, db_app, groups_app
from bot.cli.context import CliContext
from storage.engine import SessionFactory
from storage.migrate import head_revision
from tests.fakes.clock import FakeClock
from tests.storage.helpers import T0, make_commitment, make_group

runner = CliRunner()
AT_T0 = CliContext(clock=FakeClock(T0))  # Monday 2026-03-02 12:00 UTC, 04:00 in Los Angeles


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
    assert f"revision {head_revision()}" in result.output


def test_groups_list(env: dict[str, str]) -> None:
    result = runner.invoke(groups_app, ["list"], env=env, obj=AT_T0)
    assert result.exit_code == 0, result.output
    assert "privacy" in result.output and "mobility" in result.output
    flat = " ".join(result.output.split())  # rich may wrap a cell
    # Next check-in and digest on each group's own clock, from the injected time.
    assert "Mon 2 Mar 09:00 America/Los_Angeles" in flat
    assert "Fri 6 Mar 15:00 America/Los_Angeles" in flat
    assert "Mon 9 Mar 09:00 UTC" in flat  # mobility (UTC): Monday 09:00 has already passed


def test_groups_list_skips_non_working_days_when_showing_the_next_checkin(
    db_url: str, session_factory: SessionFactory
) -> None:
    saturday_noon = FakeClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    with session_factory() as session:
        make_group(session, name="daily", checkin_schedule="daily 09:00")
        make_group(session, name="weekends", checkin_schedule="sat 09:00", working_days="sat,sun")
        make_group(session, name="never", checkin_schedule="sat 09:00")  # Saturday off
    result = runner.invoke(
        groups_app,
        ["list"],
        env={"ADVISOR_DATABASE_URL": db_url},
        obj=CliContext(clock=saturday_noon),
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    daily = flat[flat.index("daily") :]
    assert daily.index("Mon 30 Nov 09:00 UTC") < daily.index("weekends")  # not Sun 29 Nov
    assert "Sat 5 Dec 09:00 UTC" in flat
    assert "none (no working day matches the schedule)" in flat


def test_commitments_list_overdue_and_group(env: dict[str, str]) -> None:
    overdue = runner.invoke(commitments_app, ["list", "--overdue"], env=env, obj=AT_T0)
    assert overdue.exit_code == 0, overdue.output
    assert "late item" in overdue.output and "future item" not in overdue.output
    by_group = runner.invoke(commitments_app, ["list", "--group", "privacy"], env=env, obj=AT_T0)
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


def test_commitments_overdue_follows_the_injected_clock(env: dict[str, str]) -> None:
    before = CliContext(clock=FakeClock(datetime(2026, 1, 15, 12, 0, tzinfo=UTC)))
    result = runner.invoke(commitments_app, ["list", "--overdue"], env=env, obj=before)
    assert result.exit_code == 0, result.output
    assert "late item" not in result.output  # due 2026-02-01: not yet late on 2026-01-15


def test_checkins_due_without_at_follows_the_injected_clock(env: dict[str, str]) -> None:
    monday_nine_thirty_la = datetime(2026, 3, 9, 16, 30, tzinfo=UTC)
    due = runner.invoke(
        checkins_app, ["due"], env=env, obj=CliContext(clock=FakeClock(monday_nine_thirty_la))
    )
    assert due.exit_code == 0, due.output
    assert "2026-03-09T09:00" in due.output and "late item" in due.output
    tuesday = CliContext(clock=FakeClock(monday_nine_thirty_la + timedelta(days=1)))
    quiet = runner.invoke(checkins_app, ["due"], env=env, obj=tuesday)
    assert "nothing is due" in quiet.output
