"""A parsed ``/advisor`` command, its handler type, and the private reply every handler uses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.blocks.layout import sections
from bot.services import Services
from bot.slack.gateway import SlackCallFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandRequest:
    """A parsed slash command: who, where, the words after the subcommand, how to reply."""

    services: Services
    user_id: str
    channel_id: str
    name: str  # the subcommand ("" for a question)
    args: str
    response_url: str
    trigger_id: str
    ack: Callable[..., Any]


Handler = Callable[[CommandRequest], None]


def reply(request: CommandRequest, text: str) -> None:
    """A message only the caller sees, through the command's ``response_url``."""
    payload: dict[str, Any] = {"response_type": "ephemeral", "text": text}
    if len(text) > 2900:
        payload["blocks"] = sections(text)
    try:
        request.services.slack.respond(response_url=request.response_url, payload=payload)
    except SlackCallFailed as error:
        log.warning("could not reply to a command (%s)", error.code)
