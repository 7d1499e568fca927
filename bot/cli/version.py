"""``advisor --version``: the installed package's version, then exit."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import typer

DISTRIBUTION = "policy-advisor"


def advisor_version() -> str:
    """The installed ``policy-advisor`` version (``unknown`` when run from a bare checkout)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def print_version(requested: bool) -> None:
    """The ``--version`` option's callback: print ``advisor <version>`` and stop."""
    if requested:
        typer.echo(f"advisor {advisor_version()}")
        raise typer.Exit()
