"""Admin sub-apps for the ``advisor`` CLI: database, groups, commitments, check-ins.

``bot.cli.main`` mounts them (``db``, ``groups``, ``commitments``, ``checkins``). Nothing
here sends to Slack: ``advisor checkins due --at TIME`` shows what would be sent.
``--json`` on ``groups list``, ``commitments list`` and ``checkins due`` prints the same
rows as a JSON array (``checkins due``: an object with ``at`` and ``due``) for scripts.
Bad input ends in one line on stderr and exit code 2. Commands that read the database first
check that it is migrated to this code's revision, and otherwise say to run
``advisor db upgrade`` (exit 1); an unreachable database or a bogus URL is worded by the
root error handler (``bot.cli.errors``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from bot.cli.context import clock_of
from bot.cli.errors import UPGRADE_HINT, CliFailure, safe_url
from bot.followup.plan import DuePlan, plan_due
from bot.scheduling.scheduler import policy_from
from bot.settings import Settings
from checkins.dates import today_in
from checkins.errors import CheckinError
from checkins.schedule import load_timezone
from checkins.upcoming import next_checkin, next_digest, upcoming_label
from storage.commitments import list_commitments
from storage.engine import create_db_engine, make_session_factory
from storage.groups import get_group_by_name, list_groups, list_members
from storage.migrate import current_revision, head_revision, known_revision, upgrade_database

db_app = typer.Typer(help="The database.", no_args_is_help=True)
groups_app = typer.Typer(help="Working groups.", no_args_is_help=True)
commitments_app = typer.Typer(help="Commitments.", no_args_is_help=True)
checkins_app = typer.Typer(help="Scheduled check-ins.", no_args_is_help=True)

for _sub_app in (db_app, groups_app, commitments_app, checkins_app):
    # A callback keeps each sub-app a command group even with one command, so
    # ``advisor db upgrade`` and a runner invoking ``["upgrade"]`` both work.
    _sub_app.callback()(lambda: None)

out = Console(width=160)
err = Console(stderr=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _fail(message: str) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(2)


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    """A session on a database migrated to this code's revision (else ``CliFailure``)."""
    url = settings.resolved_database_url
    engine = create_db_engine(url)
    try:
        revision, head = current_revision(engine), head_revision()
        if revision != head:
            raise CliFailure(_revision_problem(safe_url(url), revision, head))
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _revision_problem(url: str, revision: str | None, head: str | None) -> str:
    if revision is None:
        return f"the database at {url} was never set up for this advisor: {UPGRADE_HINT}"
    if known_revision(revision):
        return f"the database at {url} is at revision {revision}, not {head}: {UPGRADE_HINT}"
    return (
        f"the database at {url} is at revision {revision}, which this advisor does not know "
        f"(it needs {head}): run a newer advisor"
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (also done at every start)."""
    settings = Settings()
    upgrade_database(settings.resolved_database_url)
    engine = create_db_engine(settings.resolved_database_url)
    try:
        out.print(f"database at revision {current_revision(engine)}", highlight=False)
    finally:
        engine.dispose()


@groups_app.command("list")
def groups_list(
    ctx: typer.Context,
    archived: Annotated[bool, typer.Option(help="Include archived groups.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List working groups with their schedules and open commitments."""
    now = clock_of(ctx)()
    rows: list[dict[str, Any]] = []
    table = Table(
        "id",
        "name",
        "channel",
        "lead",
        "check-ins",
        "next check-in",
        "digest",
        "next digest",
        "open",
        "problem",
    )
    with _session(Settings()) as session:
        for group in list_groups(session, include_archived=archived):
            count = len(list_commitments(session, group_id=group.id, status="open"))
            problem = group.channel_error or ("archived" if group.archived else "")
            checkin, digest = next_checkin(group, now=now), next_digest(group, now=now)
            rows.append(
                {
                    "id": group.id,
                    "name": group.name,
                    "channel_id": group.channel_id,
                    "lead_user_id": group.lead_user_id,
                    "timezone": group.timezone,
                    "checkin_schedule": group.checkin_schedule,
                    "next_checkin": _iso(checkin.at if checkin else None),
                    "digest_schedule": group.digest_schedule,
                    "next_digest": _iso(digest.at if digest else None),
                    "open_commitments": count,
                    "archived": group.archived,
                    "problem": problem or None,
                }
            )
            table.add_row(
                str(group.id),
                group.name,
                group.channel_id,
                group.lead_user_id,
                group.checkin_schedule,
                upcoming_label(checkin),
                group.digest_schedule,
                upcoming_label(digest),
                str(count),
                problem,
            )
    if as_json:
        _print_json(rows)
    else:
        out.print(table)


@groups_app.command("show")
def groups_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The group's name.")],
    as_json: JsonOption = False,
) -> None:
    """A group's topic, members and stakeholder map: who is missing from the table."""
    from bot.cli import group_map  # late: it loads the retrieval engine

    settings = Settings()
    with _session(settings) as session:
        group = get_group_by_name(session, name=name)
        if group is None or group.id is None:
            raise _fail(f"there is no working group called {name!r} (see `advisor groups list`)")
        members = list(list_members(session, group_id=group.id))
    found = group_map.group_map_of(ctx, settings, group, members)
    if as_json:
        _print_json(group_map.report_json(settings, group, members, found))
    else:
        out.print(
            group_map.report_text(settings, group, members, found), markup=False, highlight=False
        )


@commitments_app.command("list")
def commitments_list(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option(help="Only open commitments past due.")] = False,
    group: Annotated[str | None, typer.Option(help="Only this group (by name).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List commitments, by due date."""
    now = clock_of(ctx)()
    listed: list[dict[str, Any]] = []
    with _session(Settings()) as session:
        groups = {g.id: g for g in list_groups(session, include_archived=True)}
        group_id = None
        if group is not None:
            found = get_group_by_name(session, name=group)
            if found is None:
                raise _fail(f"no working group named {group!r} (see: advisor groups list)")
            group_id = found.id
        rows = list_commitments(session, group_id=group_id, status="open" if overdue else None)
        table = Table("id", "group", "owner", "title", "due", "status")
        for row in rows:
            owner_group = groups[row.group_id]
            late = row.due_date < today_in(now=now, timezone=owner_group.timezone)
            if overdue and not late:
                continue
            status = f"{row.status} (overdue)" if late and row.status == "open" else row.status
            listed.append(
                {
                    "id": row.id,
                    "group": owner_group.name,
                    "group_id": row.group_id,
                    "owner_user_id": row.owner_user_id,
                    "title": row.title,
                    "due_date": row.due_date.isoformat(),
                    "status": row.status,
                    "overdue": late and row.status == "open",
                }
            )
            table.add_row(
                str(row.id),
                owner_group.name,
                row.owner_user_id,
                row.title,
                row.due_date.isoformat(),
                status,
            )
    if as_json:
        _print_json(listed)
    else:
        out.print(table)


def _parse_at(text: str | None, *, default_timezone: str, now: datetime) -> datetime:
    if text is None:
        return now
    try:
        when = datetime.fromisoformat(text)
    except ValueError as error:
        raise _fail(f"{text!r} is not a time; use ISO 8601, e.g. 2026-03-09T09:00") from error
    if when.tzinfo is None:
        when = when.replace(tzinfo=load_timezone(default_timezone))
    return when.astimezone(UTC)


@checkins_app.command("due")
def checkins_due(
    ctx: typer.Context,
    at: Annotated[
        str | None, typer.Option(help="ISO time; without an offset, ADVISOR_DEFAULT_TIMEZONE.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show what would be sent at TIME (default now), without sending anything."""
    settings = Settings()
    try:
        when = _parse_at(at, default_timezone=settings.default_timezone, now=clock_of(ctx)())
    except CheckinError as error:
        raise _fail(str(error)) from error
    with _session(settings) as session:
        plan = plan_due(session, now=when, policy=policy_from(settings))
    if as_json:
        _print_json({"at": when.isoformat(), "due": _plan_rows(plan)})
        return
    out.print(f"due at {when.isoformat()}:", highlight=False)
    if plan.empty:
        out.print("nothing is due.")
        return
    out.print(_plan_table(plan))


def _plan_table(plan: DuePlan) -> Table:
    table = Table("kind", "group", "to", "what", "period")
    for row in _plan_rows(plan):
        what = row["title"]
        if row["kind"] == "escalation":
            what = f"{what} ({row['days_overdue']}d overdue)"
        table.add_row(row["kind"], row["group"], row["to"], what, row["period"] or "")
    return table


def _plan_rows(plan: DuePlan) -> list[dict[str, Any]]:
    """What ``plan`` would send, one row per message, in sending order."""
    rows: list[dict[str, Any]] = []

    def add(kind: str, group_id: int, to: str, title: str, period: str | None, **more: Any) -> None:
        group = plan.groups[group_id].name
        rows.append(
            {"kind": kind, "group": group, "group_id": group_id, "to": to, "title": title}
            | {"period": period, **more}
        )

    for due in plan.checkins:
        commitment = plan.commitments[due.commitment_id]
        add(
            "check-in",
            due.group_id,
            due.owner_user_id,
            commitment.title,
            due.period,
            commitment_id=due.commitment_id,
        )
    for due, _update_id in plan.counted:  # answered by an update: recorded, no DM
        commitment = plan.commitments[due.commitment_id]
        add(
            "check-in (update counted)",
            due.group_id,
            due.owner_user_id,
            commitment.title,
            due.period,
            commitment_id=due.commitment_id,
        )
    for reminder in plan.reminders:
        commitment = plan.commitments[reminder.commitment_id]
        add(
            "reminder",
            commitment.group_id,
            reminder.owner_user_id,
            commitment.title,
            None,
            commitment_id=reminder.commitment_id,
            checkin_id=reminder.checkin_id,
        )
    for escalation in plan.escalations:
        commitment = plan.commitments[escalation.commitment_id]
        add(
            "escalation",
            escalation.group_id,
            escalation.lead_user_id,
            commitment.title,
            escalation.period,
            commitment_id=escalation.commitment_id,
            days_overdue=escalation.days_overdue,
        )
    for digest in plan.digests:
        group = plan.groups[digest.group_id]
        add("digest", digest.group_id, group.channel_id, "progress digest", digest.period)
    return rows
