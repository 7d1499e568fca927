"""What the CLI's commands share, passed in rather than read from globals.

The root command stores a ``CliContext`` in Click's context object; every command that
needs the time reads it with ``clock_of(ctx)``. Tests pass their own with
``CliRunner().invoke(app, args, obj=CliContext(clock=FakeClock(...)))``, so
``advisor questions purge``, ``checkins due`` and ``playbooks validate`` follow the one
injected clock instead of the wall clock. ``ask`` and ``index`` get their embedder the same
way (``embedder_of``): the configured model unless a test passes a fake factory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from bot.clock import Clock, utc_clock

if TYPE_CHECKING:
    from bot.settings import Settings
    from retrieval.embeddings import Embedder

EmbedderFactory = Callable[["Settings"], "Embedder"]


@dataclass(frozen=True)
class CliContext:
    clock: Clock = utc_clock
    embedder: EmbedderFactory | None = None  # None: the model the settings name


def embedder_of(ctx: typer.Context, settings: Settings) -> Embedder:
    """The injected embedder factory's embedder, or the configured model."""
    found = ctx.find_object(CliContext)
    if found is not None and found.embedder is not None:
        return found.embedder(settings)
    from bot.answers.setup import build_embedder  # imports the model's libraries: only here

    return build_embedder(settings)


def identity_of(ctx: typer.Context, settings: Settings) -> dict[str, str] | None:
    """What the vectors of ``embedder_of(ctx, settings)`` depend on, without loading the
    configured model (``bot.answers.setup.configured_identity``); an injected factory's
    embedder is built and asked."""
    found = ctx.find_object(CliContext)
    if found is not None and found.embedder is not None:
        from retrieval.embeddings import embedder_identity

        return embedder_identity(found.embedder(settings))
    from bot.answers.setup import configured_identity

    return configured_identity(settings)


def clock_of(ctx: typer.Context) -> Clock:
    """The injected clock, or the wall clock when none was given."""
    found = ctx.find_object(CliContext)
    return found.clock if found is not None else utc_clock
