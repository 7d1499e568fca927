"""``advisor report`` (the curators' report) and ``advisor channels list`` (channel scopes).

``report [--since 30d] [--json]`` reads the question log within its retention period and
the playbooks folder; it loads the embedding model only when there are unanswered questions
to group. Both commands check that the database is migrated first (``bot.cli.admin``).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import numpy as np
import typer

from bot.cli.admin import JsonOption, _fail, _session, out
from bot.cli.context import clock_of, embedder_of
from bot.curation.gather import (
    ReportRequest,
    SinceError,
    gather_report,
    known_abbreviations,
    library,
    parse_since,
)
from bot.curation.report import CuratorReport, Embed
from bot.curation.text import report_lines
from bot.settings import Settings
from storage.curation import list_channel_scopes
from storage.models import ChannelScope

channels_app = typer.Typer(help="Per-channel answer scopes.", no_args_is_help=True)
channels_app.callback()(lambda: None)


def report(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option(help="How far back: days or weeks, e.g. 30d or 2w.")
    ] = "30d",
    as_json: JsonOption = False,
) -> None:
    """What curators should work on: unanswered questions grouped by meaning, answers marked
    not helpful, open Ask-a-person requests, review dates, and citation use."""
    try:
        days = parse_since(since)
    except SinceError as error:
        raise _fail(str(error)) from None
    settings = Settings()
    documents = library(settings.playbooks_dir, max_bytes=settings.max_playbook_bytes)
    request = ReportRequest(
        now=clock_of(ctx)(), days=days, retention_days=settings.question_log_retention_days
    )
    known = known_abbreviations(settings.playbooks_dir, documents)
    with _session(settings) as session:
        built = gather_report(
            session, request, documents=documents, embed=_lazy_embed(ctx, settings), known=known
        )
    _print(built, settings, as_json=as_json)


def _lazy_embed(ctx: typer.Context, settings: Settings) -> Embed:
    """The configured model, loaded on the first call (never, with nothing to group)."""

    def embed(texts: list[str]) -> np.ndarray:
        return embedder_of(ctx, settings).embed(texts)

    return embed


def _print(built: CuratorReport, settings: Settings, *, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(built.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    for line in report_lines(built, playbooks_url=settings.playbooks_url):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


@channels_app.command("list")
def channels_list(as_json: JsonOption = False) -> None:
    """Every channel with a scope of its own: answers on or off, kinds, tags, cities."""
    settings = Settings()
    with _session(settings) as session:
        rows = [scope_row(row) for row in list_channel_scopes(session)]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    if not rows:
        out.print("No channel has a scope of its own: every channel gets the whole library.")
        return
    for row in rows:
        parts = ["answers on" if row["answer"] else "answers off"]
        for key in ("kinds", "tags", "cities"):
            values = row[key]
            if isinstance(values, list) and values:
                parts.append(f"{key} {', '.join(values)}")
        out.print(f"{row['channel_id']}: {'; '.join(parts)}", markup=False, highlight=False)


def scope_row(row: ChannelScope) -> dict[str, object]:
    return {
        "channel_id": row.channel_id,
        "answer": row.answer,
        "kinds": list(row.kinds),
        "tags": list(row.tags),
        "cities": list(row.cities),
        "updated_by": row.updated_by,
        "updated_at": row.updated_at.isoformat(),
    }
