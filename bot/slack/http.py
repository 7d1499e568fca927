"""HTTP mode: a starlette ASGI app with ``POST /slack/events``, ``GET /healthz`` and
``GET /metrics`` (Prometheus, ``bot.metrics``). Socket Mode serves the last two alone on
``ADVISOR_HEALTH_PORT`` (``build_health_asgi``).

Every request to ``/slack/events`` passes ``RequestGuard`` before bolt sees it:

1. a body over ``ADVISOR_MAX_REQUEST_BYTES`` gets **413** (by ``Content-Length``, or as soon
   as the stream passes the limit) and is never kept or parsed; up to ``DRAIN_FACTOR`` times
   the limit is read and dropped first, so an ordinary client, still sending, gets the 413
   instead of a reset connection (past that the connection is simply closed);
2. a missing, malformed (a non-numeric timestamp), stale or wrong signature gets **401**;
3. a signed body that is not UTF-8, not parseable the way bolt parses it (too deeply nested
   JSON included), or not a JSON object gets **400**.

Only then does bolt dispatch it; bolt verifies the signature again (verification stays on).

**Events are acked at once.** An Events API delivery (``event_callback``) always gets an
empty 200 from bolt, so once the guard has verified it and found its ``event`` an object,
it is answered 200 right here and handed to bolt on ``EventDispatch``'s small pool. A burst
of simultaneous mentions is then acked at the cost of a signature check each, not of a
bolt dispatch competing with the answers being composed. Past ``EVENT_BACKLOG`` events
waiting for the pool, an event is dispatched before its ack (slower acks: backpressure, not
unbounded memory). Everything else (slash commands, interactivity, ``url_verification``)
is answered by bolt itself, in starlette's thread pool, off the event loop. The pool is
drained when the server shuts down (the app's lifespan), before bolt's listeners are.

Nothing here logs a body, a header value or a question: rejections are logged by reason.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.metrics import CONTENT_TYPE
from bot.services import Services, health

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
DRAIN_FACTOR = 8
DISPATCH_THREADS = 4
EVENT_BACKLOG = 2000
INTAKE_QUIET_SECONDS = 0.05
INTAKE_MAX_DEFER_SECONDS = 0.5


class Rejected(Exception):
    """A request refused before bolt: the HTTP status and a short, data-free reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self) -> Response:
        return JSONResponse({"error": self.reason}, status_code=self.status)


class RequestGuard:
    """Size, signature and shape checks for ``/slack/events`` (see the module doc)."""

    def __init__(self, *, signing_secret: str, max_bytes: int) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.max_bytes = max_bytes

    async def read(self, request: Request) -> bytes:
        """The body, or ``Rejected(413)`` as soon as it is known to be over the limit."""
        declared = request.headers.get("content-length")
        if declared is not None and not declared.strip().isdigit():
            raise Rejected(400, "bad content-length")
        too_large = declared is not None and int(declared) > self.max_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            too_large = too_large or size > self.max_bytes
            if too_large:
                chunks.clear()  # nothing of it is kept
                if size > self.max_bytes * DRAIN_FACTOR:
                    break
                continue
            chunks.append(chunk)
        if too_large:
            raise Rejected(413, "request body too large")
        return b"".join(chunks)

    def check(self, headers: Any, body: bytes) -> dict[str, Any]:
        """The parsed payload; ``Rejected`` (401 or 400) unless it is signed and shaped as
        bolt expects."""
        timestamp = headers.get("x-slack-request-timestamp")
        signature = headers.get("x-slack-signature")
        try:
            valid = self.verifier.is_valid(body, timestamp, signature)
        except (ValueError, TypeError):  # a non-numeric timestamp, a non-ASCII signature
            valid = False
        if not valid:
            raise Rejected(401, "invalid request")
        try:
            text = body.decode("utf-8")
            parsed = parse_body(text, headers.get("content-type"))
        except (ValueError, RecursionError):  # not UTF-8, bad JSON, nested too deeply
            raise Rejected(400, "malformed request") from None
        if not isinstance(parsed, dict):
            raise Rejected(400, "malformed request")
        if parsed.get("type") == "event_callback" and not _event_shaped(parsed):
            raise Rejected(400, "malformed request")
        return parsed


def _event_shaped(payload: dict[str, Any]) -> bool:
    """An ``event_callback`` whose parts bolt reads are of the types bolt expects."""
    authorizations = payload.get("authorizations")
    return isinstance(payload.get("event"), dict) and (
        authorizations is None
        or (isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations))
    )


class EventDispatch:
    """Bolt dispatches of already-acked events, on a small pool with a bounded backlog.

    Intake goes first: a dispatch waits until no request has arrived for
    ``INTAKE_QUIET_SECONDS`` (at most ``INTAKE_MAX_DEFER_SECONDS``), so during a burst the
    event loop acking it does not share the interpreter with the listeners' work.
    """

    def __init__(
        self, app: App, *, threads: int = DISPATCH_THREADS, backlog: int = EVENT_BACKLOG
    ) -> None:
        self._app = app
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="event-dispatch")
        self._room = threading.BoundedSemaphore(backlog)
        self._last_intake = 0.0

    def arrived(self) -> None:
        """A request arrived (called on the event loop)."""
        self._last_intake = time.monotonic()

    def _after_intake(self) -> None:
        give_up = time.monotonic() + INTAKE_MAX_DEFER_SECONDS
        while True:
            now = time.monotonic()
            quiet_for = now - self._last_intake
            if quiet_for >= INTAKE_QUIET_SECONDS or now >= give_up:
                return
            time.sleep(min(INTAKE_QUIET_SECONDS - quiet_for, give_up - now))

    def offer(self, request: Callable[[], BoltRequest]) -> bool:
        """Queue the request ``request()`` builds (built on the pool, off the event loop);
        False when the backlog is full (the caller dispatches it itself)."""
        if not self._room.acquire(blocking=False):
            return False
        try:
            self._pool.submit(self._run, request)
        except RuntimeError:  # shutting down
            self._room.release()
            return False
        return True

    def _run(self, request: Callable[[], BoltRequest]) -> None:
        try:
            self._after_intake()
            response = self._app.dispatch(request())
            if response.status >= 400:
                log.warning("an acked event was refused by bolt (HTTP %d)", response.status)
        except Exception as exc:  # the ack is sent; nothing is left to tell Slack
            log.error("an acked event failed: %s", type(exc).__name__)
        finally:
            self._room.release()

    def close(self) -> None:
        """Run every queued dispatch, then stop."""
        self._pool.shutdown(wait=True)


def build_asgi(app: App, services: Services) -> Starlette:
    secret = services.settings.slack_signing_secret
    if secret is None:
        raise ValueError("SLACK_SIGNING_SECRET is not set; Slack requests cannot be verified")
    guard = RequestGuard(
        signing_secret=secret.get_secret_value(),
        max_bytes=services.settings.max_request_bytes,
    )

    dispatch = EventDispatch(app)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(dispatch.close)  # after the last request was answered

    async def slack_events(request: Request) -> Response:
        dispatch.arrived()
        try:
            body = await guard.read(request)
            payload = guard.check(request.headers, body)
        except Rejected as rejected:
            log.info("rejected a request: %s (HTTP %d)", rejected.reason, rejected.status)
            return rejected.response()
        try:
            if payload.get("type") == "event_callback" and dispatch.offer(
                partial(BoltRequest, body=body.decode("utf-8"), headers=dict(request.headers))
            ):
                return Response(status_code=200)
            bolt_request = to_bolt_request(request, body)
            bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        except Exception as exc:  # a signed payload of a shape bolt cannot handle
            log.warning("rejected a malformed request: %s", type(exc).__name__)
            return JSONResponse({"error": "malformed request"}, status_code=400)
        return to_starlette_response(bolt_response)

    return Starlette(
        routes=[Route(EVENTS_PATH, slack_events, methods=["POST"]), *operator_routes(services)],
        lifespan=lifespan,
    )


def operator_routes(services: Services) -> list[Route]:
    """``GET /healthz`` (200 when index, database and Slack are fine, else 503) and
    ``GET /metrics`` (Prometheus text format)."""

    async def healthz(request: Request) -> Response:
        report = await run_in_threadpool(health, services)
        ok = all(part["ok"] for part in report.values())
        return JSONResponse({"ok": ok, **report}, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        body = await run_in_threadpool(services.metrics.render)
        return Response(body, media_type=CONTENT_TYPE)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


def build_health_asgi(services: Services) -> Starlette:
    """Socket Mode's operator endpoints: ``/healthz`` and ``/metrics``, nothing else."""
    return Starlette(routes=operator_routes(services))
