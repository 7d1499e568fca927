"""``advisor serve``: run the Slack app (Socket Mode with an app token, else HTTP mode).

The check-in scheduler runs here too when enabled: it schedules while this process holds
the leader lock and otherwise waits to take over; it stops in the same shutdown path that
drains the answer pool (``bot.slack.server.shutdown``).
"""

from __future__ import annotations

import logging

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
    services = build_services(settings)
    if services.reloader is not None:  # each replica watches its playbooks folder itself
        services.reloader.start(settings.reload_seconds)
    app = build_app(services)
    scheduler = start_checkin_scheduler(services)  # None: disabled; else leading or waiting
    if settings.slack_app_token is not None:
        token = settings.slack_app_token.get_secret_value()
        run_socket_mode(app, services, app_token=token, scheduler=scheduler)
    else:
        run_http(app, services, scheduler=scheduler)
