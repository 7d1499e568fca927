"""A fake of Slack's Socket Mode: a real WebSocket server on loopback, Slack's envelopes.

``FakeSocketMode(slack_api)`` teaches a ``FakeSlackAPI`` to answer ``apps.connections.open``
(only for the app-level ``xapp-`` token it was given) with ``ws://127.0.0.1:<port>/link/...``.
A client that connects gets ``{"type": "hello", ...}``; the test then pushes envelopes::

    {"envelope_id": "...", "type": "events_api" | "slash_commands" | "interactive",
     "payload": {...}, "accepts_response_payload": bool, "retry_attempt": 0, "retry_reason": ""}

and every message the client sends back (acks: ``{"envelope_id": ..., "payload"?: ...}``) is
recorded; ``wait_for_ack`` blocks, bounded, until one arrives.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.fakes.slack_api import Call, FakeSlackAPI

APP_TOKEN = "xapp-1-A0000001-1234-fakeapptoken"
APP_ID = "A0000001"
_tickets = itertools.count(1)


class FakeSocketMode:
    """Start with ``with FakeSocketMode(slack_api) as socket_mode:`` or ``start()``/``stop()``."""

    def __init__(
        self, slack_api: FakeSlackAPI, *, app_token: str = APP_TOKEN, ping_interval: float = 0.05
    ) -> None:
        """``ping_interval``: Slack pings its clients; pinging often also lets slack_sdk's
        client close promptly (its receive loop holds a lock through a 3 s blocking read)."""
        self.app_token = app_token
        self.received: list[dict[str, Any]] = []  # every message from the client, in order
        self.opened: list[str] = []  # URLs handed out by apps.connections.open
        self._connections: list[ServerConnection] = []
        self._envelopes = itertools.count(1)
        self._cond = threading.Condition()
        self._server: Server = serve(
            self._handle, "127.0.0.1", 0, compression=None, ping_interval=ping_interval
        )
        self._thread: threading.Thread | None = None
        slack_api.respond("apps.connections.open", self._open)

    # lifecycle -----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._server.socket.getsockname()[1])

    def start(self) -> FakeSocketMode:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Slack's side of the protocol ------------------------------------------------------------
    def _open(self, call: Call) -> dict[str, Any]:
        token = call.headers.get("authorization", "").removeprefix("Bearer ")
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        url = f"ws://127.0.0.1:{self.port}/link/?ticket=fake-{next(_tickets)}&app_id={APP_ID}"
        with self._cond:
            self.opened.append(url)
        return {"ok": True, "url": url}

    def _handle(self, connection: ServerConnection) -> None:
        with self._cond:
            self._connections.append(connection)
            self._cond.notify_all()
        try:
            connection.send(json.dumps(_hello()))
            for message in connection:
                self._record(json.loads(message))
        except ConnectionClosed:
            pass  # the client went away without a closing handshake (slack_sdk does that)
        finally:
            with self._cond:
                self._connections.remove(connection)
                self._cond.notify_all()

    def _record(self, message: dict[str, Any]) -> None:
        with self._cond:
            self.received.append(message)
            self._cond.notify_all()

    # driving the client ----------------------------------------------------------------------
    @property
    def connected(self) -> int:
        with self._cond:
            return len(self._connections)

    def wait_connected(self, timeout: float = 10.0) -> None:
        self._wait(lambda: bool(self._connections), timeout, "no Socket Mode client connected")

    def wait_disconnected(self, timeout: float = 10.0) -> None:
        self._wait(lambda: not self._connections, timeout, "the client is still connected")

    def send(self, envelope: dict[str, Any]) -> str:
        """Push ``envelope`` to the newest connection; returns its ``envelope_id``."""
        self.wait_connected()
        with self._cond:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        return str(envelope["envelope_id"])

    def events_api(
        self,
        body: dict[str, Any],
        *,
        envelope_id: str | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Deliver an ``event_callback`` body (``tests.fakes.slack_requests.event_callback``)."""
        return self.send(
            {
                "envelope_id": envelope_id or self._envelope_id(),
                "type": "events_api",
                "payload": body,
                "accepts_response_payload": False,
                "retry_attempt": retry_attempt,
                "retry_reason": retry_reason,
            }
        )

    def slash_command(self, **fields: str) -> str:
        """Deliver a slash command (the same fields Slack form-posts in HTTP mode)."""
        payload = {"team_id": "T0000001", "api_app_id": APP_ID, "token": "legacy", **fields}
        return self._interactive_like("slash_commands", payload)

    def interactive(self, payload: dict[str, Any]) -> str:
        """Deliver an interactivity payload (``block_actions``, ``view_submission``, ...)."""
        return self._interactive_like("interactive", payload)

    def _interactive_like(self, kind: str, payload: dict[str, Any]) -> str:
        envelope = {
            "envelope_id": self._envelope_id(),
            "type": kind,
            "payload": payload,
            "accepts_response_payload": True,
        }
        return self.send(envelope)

    def _envelope_id(self) -> str:
        return f"fake-envelope-{next(self._envelopes):06d}"

    # reading what came back ----------------------------------------------------------------
    def acks_for(self, envelope_id: str) -> list[dict[str, Any]]:
        with self._cond:
            return self._acks_locked(envelope_id)

    def wait_for_ack(self, envelope_id: str, count: int = 1, timeout: float = 10.0) -> dict:
        """The first ack of ``envelope_id`` once ``count`` arrived; AssertionError on timeout."""
        self._wait(
            lambda: len(self._acks_locked(envelope_id)) >= count,
            timeout,
            f"expected {count} ack(s) of {envelope_id}",
        )
        return self.acks_for(envelope_id)[0]

    def _acks_locked(self, envelope_id: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("envelope_id") == envelope_id]

    def _wait(self, done: Callable[[], bool], timeout: float, message: str) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not done():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{message} within {timeout} s; got {self.received}")
                self._cond.wait(remaining)


def _hello() -> dict[str, Any]:
    return {
        "type": "hello",
        "num_connections": 1,
        "debug_info": {
            "host": "applink-fake",
            "build_number": 1,
            "approximate_connection_time": 60,
        },
        "connection_info": {"app_id": APP_ID},
    }
