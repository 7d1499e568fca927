"""The bolt ``App``: signature verification on, every Web API call to ``slack_api_url``.

One error handler for everything bolt runs (``on_error``): it logs the error's type and
where it happened, never its message (bolt's own handlers log the message, which may quote
the request), and a signed payload bolt's routing chokes on (``"event": "x"``, a view
without its keys) gets 400 instead of bolt's 500.
"""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltResponse

from bot.commands.routes import default_commands
from bot.commands.table import CommandTable
from bot.listeners import register_all
from bot.services import Services
from bot.slack.gateway import build_web_client

LISTENER_THREADS = 16
log = logging.getLogger(__name__)
# Errors a payload of an unexpected shape raises in bolt's routing or in a listener.
SHAPE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError)


def on_error(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
    """Bolt's global error handler: log by type and place; 400 for a malformed payload."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    log.error("request handling failed: %s at %s", type(error).__name__, where)
    if response is not None and response.status >= 500 and isinstance(error, SHAPE_ERRORS):
        return BoltResponse(status=400, body={"error": "malformed request"})
    return None


def build_app(
    services: Services,
    *,
    commands: CommandTable | None = None,
    token_verification: bool = True,
) -> App:
    """A bolt app with every listener registered; listeners get ``services``.

    ``token_verification=False`` skips bolt's ``auth.test`` at construction (tests only);
    the first request still authorizes through ``auth.test``.
    """
    settings = services.settings
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    secret = settings.slack_signing_secret
    if secret is None:
        raise ValueError("SLACK_SIGNING_SECRET is not set; Slack requests cannot be verified")
    app = App(
        client=build_web_client(
            token=token,
            base_url=settings.slack_api_url,
            on_rate_limited=services.metrics.rate_limited,
        ),
        signing_secret=secret.get_secret_value(),
        token_verification_enabled=token_verification,
        request_verification_enabled=True,
        process_before_response=False,
        logger=logging.getLogger("slack_bolt.App"),
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener"),
    )
    app.error(on_error)
    register_all(app, services, commands=commands or default_commands())
    return app
