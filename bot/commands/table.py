"""``/advisor`` subcommand routing: a table of name → handler that imports no handler.

A first word found in the table runs its handler; anything else is a question (``ask``).
The table this app serves is ``bot.commands.routes.default_commands``. Every handler must call ``request.ack`` itself, within Slack's 3 seconds. ``run`` calls a
handler and turns any error it did not expect into a private "could not finish" reply (an
ack, if the handler had not acked yet), logging only the error's type and where it happened.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.commands.request import CommandRequest, Handler, reply
from bot.slack import messages as msg

log = logging.getLogger(__name__)


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
