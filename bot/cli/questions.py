"""``advisor questions``: the question log's retention (``purge`` old questions and feedback).

The same run also forgets answer threads last answered before the cutoff (follow-ups there
need a new mention, as their questions are gone) and expired de-duplication records.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from bot.cli.context import clock_of
from bot.settings import Settings
from storage.engine import create_db_engine, make_session_factory
from storage.events import purge_expired_events
from storage.migrate import upgrade_engine
from storage.questions import purge_questions_older_than
from storage.threads import forget_threads_older_than

questions_app = typer.Typer(
    help="The question log (for content-gap reports).", no_args_is_help=True
)


@questions_app.command("purge")
def purge(
    ctx: typer.Context,
    older_than_days: Annotated[
        int | None,
        typer.Option(min=1, help="Default: ADVISOR_QUESTION_LOG_RETENTION_DAYS (90)."),
    ] = None,
) -> None:
    """Delete logged questions (with their feedback) and answer threads older than the
    retention period, and expired event records."""
    settings = Settings()
    days = older_than_days or settings.question_log_retention_days
    now = clock_of(ctx)()
    engine = create_db_engine(settings.resolved_database_url)
    try:
        upgrade_engine(engine)
        with make_session_factory(engine)() as session:
            cutoff = now - timedelta(days=days)
            removed = purge_questions_older_than(session, cutoff=cutoff)
            threads = forget_threads_older_than(session, cutoff=cutoff)
            expired = purge_expired_events(session, now=now)
    finally:
        engine.dispose()
    typer.echo(
        f"Purged {removed} question(s) and {threads} answer thread(s) older than {days} days, "
        f"and {expired} expired event record(s)."
    )
