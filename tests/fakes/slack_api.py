"""A fake Slack Web API: a real HTTP server on loopback speaking Slack's wire format.

Point a real ``slack_sdk.WebClient(base_url=fake.base_url)`` at it. It answers the Web API
methods the app uses with Slack-shaped JSON, records every call, and can be told to fail:
HTTP 429 with ``Retry-After``, HTTP 500, or ``{"ok": false, "error": ...}``. It can also
enforce a per-method rate limit the way Slack does (429 once the budget is spent).

Direct messages: ``conversations.open`` answers a user's DM channel as ``dm_channel_id(user)``,
and ``chat.postMessage`` with a user ID (``U…``/``W…``) as ``channel`` posts to that same DM and
answers its ``D…`` id, as Slack does for an app's DM; a user added with ``deleted=True`` gets
``user_disabled`` from both.

``response_url`` posts (slash commands, interactivity) are accepted at ``/response/<name>``.
``respond(method, responder)`` answers a method the fake does not know (or overrides one);
``tests/fakes/socket_mode.py`` uses it for ``apps.connections.open``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    method: str  # "chat.postMessage", or "response:<name>" for response_url posts
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


Responder = Callable[[Call], dict[str, Any] | None]


@dataclass
class _Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


class _RateLimit:
    def __init__(self, per_second: float, burst: int) -> None:
        self.rate = per_second
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class FakeSlackAPI:
    """Start with ``with FakeSlackAPI() as fake:`` or ``fake.start()`` / ``fake.stop()``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._limits: dict[str, _RateLimit] = {}
        self._responders: dict[str, Responder] = {}
        self._ts = itertools.count(1)
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def response_url(self, name: str = "default") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/response/{name}"

    def start(self) -> FakeSlackAPI:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlackAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # programming the fake -----------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (HTTP status and/or Slack error)."""
        if status == 200 and error is None:
            raise ValueError("give an HTTP status other than 200 or a Slack error code")
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(_Failure(status, error, retry_after) for _ in range(times))

    def rate_limit(self, method: str, *, per_second: float, burst: int = 1) -> None:
        """Answer 429 (``Retry-After: 1``) whenever ``method`` exceeds a token bucket."""
        self._limits[method] = _RateLimit(per_second, burst)

    def respond(self, method: str, responder: Responder) -> None:
        """Answer ``method`` with ``responder(call)``; a ``None`` return gives the usual answer.

        Runs after programmed failures and the bearer-token check, in the request's thread
        (a responder may sleep to make a call slow). Kept across ``reset()``.
        """
        with self._cond:
            self._responders[method] = responder

    def add_user(self, user_id: str, **fields: Any) -> None:
        self.users[user_id] = {"id": user_id, "name": user_id.lower(), "deleted": False, **fields}

    def add_channel(self, channel_id: str, **fields: Any) -> None:
        self.channels[channel_id] = {"id": channel_id, "is_archived": False, **fields}

    # reading what happened ----------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until ``method`` was called ``count`` times; raise AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(
                        f"expected {count} call(s) to {method}, got {len(found)}; saw {seen}"
                    )
                self._cond.wait(remaining)

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()
            self._failures.clear()
            self._limits.clear()

    # serving --------------------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _pending_failure(self, method: str) -> _Failure | None:
        with self._cond:
            queue = self._failures.get(method)
            if queue:
                return queue.popleft()
        limit = self._limits.get(method)
        if limit is not None and not limit.take():
            return _Failure(status=429, error="ratelimited", retry_after=1)
        return None

    def _answer(self, call: Call) -> dict[str, Any]:
        with self._cond:
            responder = self._responders.get(call.method)
        answer = responder(call) if responder is not None else None
        if answer is not None:
            return answer
        return _RESPONDERS.get(call.method, _ok)(self, call.params)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                params = _parse_body(raw, self.headers.get("Content-Type", ""))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if self.path.startswith("/response/"):
                    name = self.path.removeprefix("/response/")
                    fake._record(Call(f"response:{name}", params, headers))
                    self._send(200, {"ok": True})
                    return
                method = self.path.removeprefix("/api/").split("?")[0]
                call = Call(method, params, headers)
                fake._record(call)
                failure = fake._pending_failure(method)
                if failure is not None:
                    self._send_failure(failure)
                    return
                if not headers.get("authorization", "").startswith("Bearer "):
                    self._send(200, {"ok": False, "error": "not_authed"})
                    return
                self._send(200, fake._answer(call))

            def _send_failure(self, failure: _Failure) -> None:
                extra = {}
                if failure.retry_after is not None:
                    extra["Retry-After"] = str(failure.retry_after)
                body = {"ok": False, "error": failure.error or "internal_error"}
                self._send(failure.status, body, extra)

            def _send(
                self, status: int, body: dict[str, Any], extra: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _parse_body(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        parsed = json.loads(raw)
        return parsed if isinstance(parsed, dict) else {"_": parsed}
    params: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
    for key in ("blocks", "view", "attachments"):
        if isinstance(params.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(params[key])
    return params


# Slack-shaped answers, one per method ------------------------------------------------------
def _ok(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True}


def _auth_test(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": "https://fake-city.slack.com/",
        "team": "Fake City",
        "user": "advisor",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
    }


def dm_channel_id(user: str) -> str:
    """The ``D…`` id of the app's DM with ``user``, as this fake answers it."""
    return "D" + user.lstrip("UW")[:10]


def _is_user_id(value: str) -> bool:
    return value[:1] in ("U", "W")


def _user_gone(fake: FakeSlackAPI, user_id: str) -> bool:
    user = fake.users.get(user_id)
    return user is not None and bool(user.get("deleted"))


def _post_message(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    channel = str(params.get("channel", ""))
    if _is_user_id(channel):  # Slack posts to the app's DM with that user
        if _user_gone(fake, channel):
            return {"ok": False, "error": "user_disabled"}
        channel = dm_channel_id(channel)
    known = fake.channels.get(channel)
    if known is not None and known.get("is_archived"):
        return {"ok": False, "error": "is_archived"}
    if known is not None and known.get("not_in_channel"):
        return {"ok": False, "error": "not_in_channel"}
    ts = fake._next_ts()
    message = {"type": "message", "text": params.get("text", ""), "user": BOT_USER_ID, "ts": ts}
    if "blocks" in params:
        message["blocks"] = params["blocks"]
    return {"ok": True, "channel": channel, "ts": ts, "message": message}


def _post_ephemeral(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "message_ts": fake._next_ts()}


def _update(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "channel": params.get("channel"),
        "ts": params.get("ts"),
        "text": params.get("text", ""),
    }


def _view(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    view = params.get("view") or {}
    if isinstance(view, str):
        view = json.loads(view)
    return {"ok": True, "view": {"id": f"V{next(fake._ts):08d}", **view}}


def _conversations_open(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    users = str(params.get("users", ""))
    if _user_gone(fake, users):
        return {"ok": False, "error": "user_disabled"}
    return {"ok": True, "channel": {"id": dm_channel_id(users)}}


def _conversations_info(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    channel = str(params.get("channel", ""))
    info = fake.channels.get(channel, {"id": channel, "is_archived": False})
    return {"ok": True, "channel": info}


def _users_info(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    user_id = str(params.get("user", ""))
    user = fake.users.get(user_id)
    if user is None:
        return {"ok": False, "error": "user_not_found"}
    return {"ok": True, "user": user}


def _permalink(fake: FakeSlackAPI, params: dict[str, Any]) -> dict[str, Any]:
    channel, ts = params.get("channel", ""), str(params.get("message_ts", ""))
    return {
        "ok": True,
        "channel": channel,
        "permalink": f"https://fake-city.slack.com/archives/{channel}/p{ts.replace('.', '')}",
    }


_RESPONDERS = {
    "auth.test": _auth_test,
    "chat.postMessage": _post_message,
    "chat.postEphemeral": _post_ephemeral,
    "chat.update": _update,
    "chat.getPermalink": _permalink,
    "views.open": _view,
    "views.publish": _view,
    "views.update": _view,
    "views.push": _view,
    "conversations.open": _conversations_open,
    "conversations.info": _conversations_info,
    "users.info": _users_info,
}
