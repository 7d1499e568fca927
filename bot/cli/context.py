"""What the CLI's commands share, passed in rather than read from globals.

The root command stores a ``CliContext`` in Click's context object; every command that
needs the time reads it with ``clock_of(ctx)``. Tests pass their own with
``CliRunner().invoke(app, args, obj=CliContext(clock=FakeClock(...)))``, so
``advisor questions purge``, ``checkins due`` and ``playbooks validate`` follow the one
injected clock instead of the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import typer

from bot.clock import Clock, utc_clock


@dataclass(frozen=True)
class CliContext:
    clock: Clock = utc_clock


def clock_of(ctx: typer.Context) -> Clock:
    """The injected clock, or the wall clock when none was given."""
    found = ctx.find_object(CliContext)
    return found.clock if found is not None else utc_clock
