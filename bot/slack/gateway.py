"""The one door to Slack's Web API.

``SlackGateway`` wraps a real ``slack_sdk.WebClient`` (pointed at ``settings.slack_api_url``)
with slack_sdk's retry handlers: HTTP 429 waits ``Retry-After`` and retries, 5xx and
connection errors retry with backoff. What still fails after retries becomes a
``SlackCallFailed`` carrying Slack's error code, never the token or the message text.

Errors::

    SlackCallFailed          a Web API call failed after retries (``.code``, ``.method``)
     └── SlackUnreachable     the API could not be reached at all (connection refused, DNS)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from bot.metrics import Metrics

log = logging.getLogger(__name__)

# Slack error codes meaning "this destination is gone or closed to us": not worth retrying.
GONE_CHANNEL_ERRORS = frozenset(
    {"channel_not_found", "is_archived", "not_in_channel", "channel_is_archived"}
)
GONE_USER_ERRORS = frozenset(
    {"user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot", "users_not_found"}
)
# Posting to a user ID that no longer resolves to a DM: the owner is gone, as above.
GONE_DM_ERRORS = GONE_USER_ERRORS | {"channel_not_found"}


class SlackCallFailed(Exception):
    """A Web API call failed after retries."""

    def __init__(self, method: str, code: str) -> None:
        super().__init__(f"Slack {method} failed: {code}")
        self.method = method
        self.code = code

    @property
    def destination_gone(self) -> bool:
        return self.code in GONE_CHANNEL_ERRORS | GONE_USER_ERRORS


class SlackUnreachable(SlackCallFailed):
    """Slack's API could not be reached at all."""


RateLimited = Callable[[str], None]


class CountingRateLimitHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (wait ``Retry-After``, retry) that also reports every 429 to
    ``on_rate_limited(method)``; it is first in the list, so it sees each 429 once."""

    def __init__(
        self, *, max_retry_count: int, base_url: str, on_rate_limited: RateLimited
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._base_url = base_url
        self._on_rate_limited = on_rate_limited

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            self._on_rate_limited(_method_of(request.url, self._base_url))
        return super().can_retry(state=state, request=request, response=response, error=error)


def _method_of(url: str, base_url: str) -> str:
    """The Web API method of ``url`` (``chat.postMessage``); ``response_url`` for anything
    else (a response URL's path holds a secret, so it is never a label)."""
    if base_url and url.startswith(base_url):
        method = url[len(base_url) :].split("?", 1)[0].strip("/")
        if method and "/" not in method:
            return method
    return "response_url"


def retry_handlers(
    max_retries: int = 3, *, base_url: str = "", on_rate_limited: RateLimited | None = None
) -> list[RetryHandler]:
    rate_limit: RetryHandler = (
        RateLimitErrorRetryHandler(max_retry_count=max_retries)
        if on_rate_limited is None
        else CountingRateLimitHandler(
            max_retry_count=max_retries, base_url=base_url, on_rate_limited=on_rate_limited
        )
    )
    return [
        rate_limit,
        ServerErrorRetryHandler(max_retry_count=max_retries),
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
    ]


def build_web_client(
    *,
    token: str | None,
    base_url: str,
    timeout: int = 15,
    on_rate_limited: RateLimited | None = None,
) -> WebClient:
    """A WebClient with retry handlers, pointed at ``base_url``; every HTTP 429 is reported
    to ``on_rate_limited(method)`` (e.g. ``Metrics.rate_limited``)."""
    client = WebClient(token=token, base_url=base_url, timeout=timeout)
    for handler in retry_handlers(base_url=client.base_url, on_rate_limited=on_rate_limited):
        client.retry_handlers.append(handler)
    return client


class SlackGateway:
    """Typed, retried, log-safe calls to the Slack Web API (failures counted in ``metrics``)."""

    def __init__(self, client: WebClient, *, metrics: Metrics | None = None) -> None:
        self.client = client
        self.metrics = metrics
        self._on_rate_limited = metrics.rate_limited if metrics is not None else None

    def _failed(self, method: str, error: str) -> None:
        if self.metrics is not None:
            self.metrics.slack_error(method, error)

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        try:
            # slack_sdk's typed method picks Slack's encoding (JSON or form) for each method.
            response = getattr(self.client, method.replace(".", "_"))(**params)
        except SlackApiError as exc:
            code = str(exc.response.get("error", "unknown_error"))
            log.warning("slack call failed", extra={"slack_method": method, "slack_error": code})
            self._failed(method, code)
            raise SlackCallFailed(method, code) from None
        except OSError as exc:  # connection refused, DNS, TLS: after the retry handlers gave up
            log.warning(
                "slack unreachable",
                extra={"slack_method": method, "error_type": type(exc).__name__},
            )
            self._failed(method, type(exc).__name__)
            raise SlackUnreachable(method, type(exc).__name__) from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    def auth_test(self) -> dict[str, Any]:
        return self._call("auth.test")

    def post_message(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """Post a message; returns its ``ts``."""
        params: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if blocks is not None:
            params["blocks"] = blocks
        if thread_ts:
            params["thread_ts"] = thread_ts
        return str(self._call("chat.postMessage", **params).get("ts", ""))

    def post_dm(
        self, *, user: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> tuple[str, str]:
        """Post to the app's DM with ``user``; returns the DM's channel id and the ``ts``.

        ``chat.postMessage`` accepts a user ID as ``channel`` and answers with the real
        ``D…`` channel id, so no ``conversations.open`` (Tier 3, ~50/min) is spent per DM.
        """
        params: dict[str, Any] = {"channel": user, "text": text, "unfurl_links": False}
        if blocks is not None:
            params["blocks"] = blocks
        data = self._call("chat.postMessage", **params)
        return str(data.get("channel", "")), str(data.get("ts", ""))

    def update_message(
        self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        params: dict[str, Any] = {"channel": channel, "ts": ts, "text": text}
        params["blocks"] = blocks if blocks is not None else []
        self._call("chat.update", **params)

    def delete_message(self, *, channel: str, ts: str) -> None:
        """Delete one of the bot's own messages (``chat.delete``)."""
        self._call("chat.delete", channel=channel, ts=ts)

    def open_dm(self, *, user: str) -> str:
        """Open (or find) the DM channel with ``user``; returns its channel id."""
        data = self._call("conversations.open", users=user)
        return str(data.get("channel", {}).get("id", ""))

    def open_view(self, *, trigger_id: str, view: dict[str, Any]) -> None:
        self._call("views.open", trigger_id=trigger_id, view=view)

    def publish_home(self, *, user: str, view: dict[str, Any]) -> None:
        self._call("views.publish", user_id=user, view=view)

    def user_info(self, *, user: str) -> dict[str, Any]:
        return dict(self._call("users.info", user=user).get("user", {}))

    def channel_info(self, *, channel: str) -> dict[str, Any]:
        return dict(self._call("conversations.info", channel=channel).get("channel", {}))

    def respond(self, *, response_url: str, payload: dict[str, Any]) -> None:
        """Post to a slash command's or an action's ``response_url``, with retries."""
        handlers = retry_handlers(on_rate_limited=self._on_rate_limited)
        webhook = WebhookClient(response_url, retry_handlers=handlers)
        try:
            result = webhook.send_dict(payload)
        except OSError as exc:
            self._failed("response_url", type(exc).__name__)
            raise SlackUnreachable("response_url", type(exc).__name__) from None
        if result.status_code >= 400:
            self._failed("response_url", f"http_{result.status_code}")
            raise SlackCallFailed("response_url", f"http_{result.status_code}")
