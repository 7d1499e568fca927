"""The ``/advisor`` subcommands this app serves: the one module that knows every handler."""

from __future__ import annotations

from bot.commands.ask import ask, show_help
from bot.commands.away import away_command
from bot.commands.channel import channel_command
from bot.commands.commit import commit_command, commitments_command, done_command
from bot.commands.group import group_command
from bot.commands.reindex import reindex_command
from bot.commands.table import CommandTable
from bot.commands.update import update_command


def default_commands() -> CommandTable:
    table = CommandTable(ask=ask)
    table.add("help", show_help)
    table.add("group", group_command)
    table.add("commit", commit_command)
    table.add("commitments", commitments_command)
    table.add("done", done_command)
    table.add("away", away_command)
    table.add("update", update_command)
    table.add("channel", channel_command)
    table.add("reindex", reindex_command)
    return table
