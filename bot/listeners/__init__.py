"""Bolt listeners, one module per Slack surface. Each is thin: parse the payload, call one
use-case (``bot.answers``, ``bot.commands``, ``bot.followup``), render with ``bot.blocks``, send.

``register_all(app, services)`` wires every module onto a bolt ``App``.
"""

from __future__ import annotations

from slack_bolt import App

from bot.commands.table import CommandTable
from bot.listeners import (
    actions,
    checkins,
    command,
    events,
    home,
    shortcut,
    stakeholders,
    views,
)
from bot.services import Services


def register_all(app: App, services: Services, *, commands: CommandTable) -> None:
    events.register(app, services)
    command.register(app, services, commands)
    shortcut.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    home.register(app, services)
    checkins.register(app, services)
    stakeholders.register(app, services)
    events.register_fallback(app)
