"""The ``/advisor`` subcommands this app serves: the one module that knows every handler."""

from __future__ import annotations

from bot.commands.ask import ask, show_help
from bot.commands.commit import commit_command, commitments_command, done_command
from bot.commands.group import group_command
from bot.commands.table import CommandTable


def default_commands() -> CommandTable:
    table = CommandTable(ask=ask)
    table.add("help", show_help)
    table.add("group", group_command)
    table.add("commit", commit_command)
    table.add("commitments", commitments_command)
    table.add("done", done_command)
    return table
