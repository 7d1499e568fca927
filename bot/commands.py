"""``/advisor`` subcommand routing: a small table others extend.

``/advisor help`` and ``/advisor`` alone show help; a first word found in the table runs its
handler; anything else is a question. The check-in issue adds ``group``, ``commit``,
``commitments`` and ``done`` with ``table.add(name, handler)`` in ``default_commands``.
Every handler must call ``request.ack`` itself, within Slack's 3 seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import messages as msg
from bot.asking import Question, accept
from bot.blocks.answer import RenderOptions, help_blocks
from bot.commitment_commands import add_checkin_commands
from bot.replies import ResponseUrlReply
from bot.services import Services
from storage.models import Surface


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


class CommandTable:
    """Subcommand name → handler; unknown first words are questions."""

    def __init__(self, *, ask: Handler) -> None:
        self._handlers: dict[str, Handler] = {}
        self._ask = ask

    def add(self, name: str, handler: Handler) -> None:
        self._handlers[name.lower()] = handler

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def route(self, text: str) -> tuple[Handler, str, str]:
        """The handler for ``text`` with the subcommand name and the rest of the words."""
        words = text.strip().split(maxsplit=1)
        name = words[0].lower() if words else ""
        if name in self._handlers:
            return self._handlers[name], name, words[1] if len(words) > 1 else ""
        return self._ask, "", text.strip()


def show_help(request: CommandRequest) -> None:
    request.ack(text=msg.HELP_FALLBACK, blocks=help_blocks(), response_type="ephemeral")


def ask(request: CommandRequest) -> None:
    """A question: ack with "working on it", answer through the response_url."""
    if not request.args:
        show_help(request)
        return
    request.ack(text=msg.WORKING, response_type="ephemeral")
    services = request.services
    question = Question(
        user_id=request.user_id,
        text=request.args,
        surface=Surface.COMMAND.value,
        channel_id=request.channel_id,
    )
    reply = ResponseUrlReply(services.slack, response_url=request.response_url, show_working=False)
    options = RenderOptions(shareable=True, ask_person=bool(services.settings.curator_user_ids))
    accept(services, question, reply, options=options)


def default_commands() -> CommandTable:
    table = CommandTable(ask=ask)
    table.add("help", show_help)
    add_checkin_commands(table)
    return table
