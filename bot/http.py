"""HTTP mode: a starlette ASGI app with ``POST /slack/events`` and ``GET /healthz``.

Bolt's ``dispatch`` is synchronous, so it runs in starlette's thread pool and never blocks
the event loop. Bolt verifies the signature (401 on a bad or stale one), answers
``url_verification`` and acks; listeners continue after the ack. A body bolt cannot parse
gets a 400, never a crash.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.services import Services, health

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def build_asgi(app: App, services: Services) -> Starlette:
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        try:
            bolt_request = to_bolt_request(request, body)
            bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        except (ValueError, KeyError, TypeError) as exc:  # unparseable body or shape
            log.warning("rejected a malformed request: %s", type(exc).__name__)
            return JSONResponse({"error": "malformed request"}, status_code=400)
        return to_starlette_response(bolt_response)

    async def healthz(request: Request) -> Response:
        report = await run_in_threadpool(health, services)
        ok = all(part["ok"] for part in report.values())
        return JSONResponse({"ok": ok, **report}, status_code=200 if ok else 503)

    return Starlette(
        routes=[
            Route(EVENTS_PATH, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
