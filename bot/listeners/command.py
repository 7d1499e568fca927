"""The ``/advisor`` slash command: parse, route through the command table."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.commands.request import CommandRequest
from bot.commands.table import CommandTable, run
from bot.services import Services

COMMAND = "/advisor"


def register(app: App, services: Services, commands: CommandTable) -> None:
    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        handler, name, args = commands.route(str(command.get("text", "")))
        run(
            handler,
            CommandRequest(
                services=services,
                user_id=str(command.get("user_id", "")),
                channel_id=str(command.get("channel_id", "")),
                name=name,
                args=args,
                response_url=str(command.get("response_url", "")),
                trigger_id=str(command.get("trigger_id", "")),
                ack=ack,
            ),
        )
