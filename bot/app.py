"""The bolt ``App``: signature verification on, every Web API call to ``slack_api_url``."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App

from bot.commands import CommandTable, default_commands
from bot.gateway import build_web_client
from bot.listeners import register_all
from bot.services import Services

LISTENER_THREADS = 16


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
        client=build_web_client(token=token, base_url=settings.slack_api_url),
        signing_secret=secret.get_secret_value(),
        token_verification_enabled=token_verification,
        request_verification_enabled=True,
        process_before_response=False,
        logger=logging.getLogger("slack_bolt.App"),
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener"),
    )
    register_all(app, services, commands=commands or default_commands())
    return app
