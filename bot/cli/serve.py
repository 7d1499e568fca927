"""``advisor serve``: run the Slack app (Socket Mode with an app token, else HTTP mode).

The check-in scheduler runs here too when enabled: it schedules while this process holds
the leader lock and otherwise waits to take over; it stops in the same shutdown path that
drains the answer pool (``bot.slack.server.shutdown``).
"""

from __future__ import annotations

import logging
import subprocess
import sys

import typer

from bot.app import build_app
from bot.logs import configure_logging
from bot.scheduling.scheduler import start_checkin_scheduler
from bot.services import build_services
from bot.settings import Settings
from bot.slack.server import run_http, run_socket_mode

log = logging.getLogger(__name__)


def _secrets(settings: Settings) -> list[str]:
    values = (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token)
    return [value.get_secret_value() for value in values if value is not None]


def _migrate_apart(settings: Settings) -> bool:
    """Apply pending migrations in a short-lived child (``advisor db upgrade``), so this
    long-lived process never holds Alembic and Mako (~9–12 MiB it would keep for nothing);
    whether the database is now at the head. Nothing is started when it is already (every
    restart but the first after an upgrade). When this returns False (unreachable, or the
    child failed), ``build_services`` migrates in this process and reports the error as it
    always has."""
    from storage.engine import create_db_engine
    from storage.migrate import at_head

    try:
        engine = create_db_engine(settings.resolved_database_url)
        try:
            if at_head(engine):
                return True
        finally:
            engine.dispose()
    except Exception:  # unreachable or a bad URL: build_services words it
        return False
    done = subprocess.run(  # this interpreter, this package, fixed arguments
        [sys.executable, "-m", "bot.cli.main", "db", "upgrade"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        log.warning(
            "migrating in a child process failed (exit %d); migrating here", done.returncode
        )
    return done.returncode == 0


def serve() -> None:
    """Answer questions in Slack until stopped (SIGTERM lets in-flight answers finish)."""
    settings = Settings()
    configure_logging(
        settings.log_level, secrets=_secrets(settings), log_format=settings.log_format
    )
    if settings.slack_bot_token is None or settings.slack_signing_secret is None:
        typer.echo(
            "error: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see 'Slack setup' in README.md)",
            err=True,
        )
        raise typer.Exit(2)
    migrated = _migrate_apart(settings)
    services = build_services(settings, migrate=not migrated)
    if services.reloader is not None:  # each replica watches its playbooks folder itself
        services.reloader.start(settings.reload_seconds)
    app = build_app(services)
    scheduler = start_checkin_scheduler(services)  # None: disabled; else leading or waiting
    if settings.slack_app_token is not None:
        token = settings.slack_app_token.get_secret_value()
        run_socket_mode(app, services, app_token=token, scheduler=scheduler)
    else:
        run_http(app, services, scheduler=scheduler)
