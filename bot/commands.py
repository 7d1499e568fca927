"""``/advisor`` subcommand routing: a small table others extend.

``/advisor help`` and ``/advisor`` alone show help; a first word found in the table runs its
handler; anything else is a question. The check-in issue adds ``group``, ``commit``,
``commitments`` and ``done`` with ``table.add(name, handler)`` in ``default_commands``.
Every handler must call ``request.ack`` itself, within Slack's 3 seconds. ``run`` calls a
handler and turns any error it did not expect into a private "could not finish" reply (an
ack, if the handler had not acked yet), logging only the error's type and where it happened.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot import messages as msg
from bot.asking import Question, accept
from bot.blocks.answer import RenderOptions, help_blocks
from bot.checkin_ui import reply
from bot.commitment_commands import add_checkin_commands
from bot.replies import ResponseUrlReply
from bot.services import Services
from storage.models import Surface

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


def run(handler: Handler, request: CommandRequest) -> None:
    """Run ``handler``; whatever it raises, the caller still gets a private next step."""
    ack = _TrackedAck(request.ack)
    request = replace(request, ack=ack)
    try:
        handler(request)
    except Exception as exc:  # refusals and usage errors were answered by the handler
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        log.error("command %s failed: %s at %s", request.name or "ask", type(exc).__name__, where)
        if ack.called:
            reply(request, msg.FAILED)
        else:
            ack(text=msg.FAILED, response_type="ephemeral")


class _TrackedAck:
    """Bolt's ``ack`` remembering whether it was called (an ack can be sent only once)."""

    def __init__(self, ack: Callable[..., Any]) -> None:
        self._ack, self._lock, self.called = ack, threading.Lock(), False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.called = True
        return self._ack(*args, **kwargs)


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
