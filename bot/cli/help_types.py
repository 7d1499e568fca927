"""Type names in ``--help`` that a reader of a command line knows, not Python's.

Typer prints each parameter's Python annotation (``<str>``, ``<list[str]>``, ``<bool>`` on
flags). ``install()`` makes every Typer parameter show Click's names instead: ``TEXT``,
``INTEGER``, ``PATH``, the choices as ``[playbook|case-note]``, a parameter's own
``metavar`` when it has one, and nothing for flags (``--json``, ``--help``). The root
command's class (``bot.cli.errors.RootGroup``) installs it, so ``advisor`` and every test
runner invoking it print the same help.
"""

from __future__ import annotations

from typing import Any, get_args

from typer.core import TyperArgument, TyperOption

_INSTALLED = "_advisor_plain_types"


_NAMES = {str: "TEXT", int: "INTEGER", float: "FLOAT", bool: "BOOLEAN"}


def plain_type(param: Any, ctx: Any = None) -> str | None:
    """What ``--help`` shows for ``param``'s value; ``None`` for a flag (no value)."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    if param.metavar is not None:
        return str(param.metavar)
    desc = param.type_descriptor
    if desc.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices or ()) + "]"
    if desc.is_path or desc.is_file:
        return "PATH"
    if desc.is_datetime:
        return "DATETIME"
    annotation = get_args(desc.annotation)[0] if desc.is_list else desc.annotation
    return _NAMES.get(annotation, getattr(annotation, "__name__", "VALUE").upper())


def install() -> None:
    """Use ``plain_type`` for every Typer option and argument (idempotent)."""
    if getattr(TyperOption, _INSTALLED, False):
        return
    for kind in (TyperOption, TyperArgument):
        kind.display_type_rich = plain_type  # type: ignore[method-assign,assignment]
        setattr(kind, _INSTALLED, True)
