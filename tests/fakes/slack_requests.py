"""Inbound Slack traffic as Slack sends it: signed HTTP requests (v0 HMAC-SHA256).

``SlackSender(url, signing_secret)`` posts events, slash commands and interactivity payloads
to a running app and returns ``(status, body)``. Payload builders follow Slack's documented
shapes. Used by the tests and by ``bench/bench_slack_ack.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID

_ids = itertools.count(1)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    def __init__(self, base_url: str, signing_secret: str) -> None:
        self.url = base_url.rstrip("/") + "/slack/events"
        self.secret = signing_secret

    def post(
        self,
        body: bytes,
        *,
        content_type: str = "application/json",
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(self.secret, ts, body),
            **(headers or {}),
        }
        request = urllib.request.Request(self.url, data=body, headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def event(self, payload: dict[str, Any], *, retry_num: int | None = None) -> tuple[int, str]:
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(payload).encode(), headers=headers)

    def command(self, **fields: str) -> tuple[int, str]:
        return self.post(urlencode(fields).encode(), content_type=FORM)

    def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, content_type=FORM)


FORM = "application/x-www-form-urlencoded"


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-unused",
        "team_id": TEAM_ID,
        "api_app_id": "A0000001",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }


def next_ts() -> str:
    return f"{1_710_000_000 + next(_ids)}.000200"


def mention_event(
    text: str,
    *,
    user: str = "UASKER01",
    channel: str = "CGENERAL",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "channel": channel,
        "ts": ts or next_ts(),
        "text": f"<@{BOT_USER_ID}> {text}".rstrip(),
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message_event(
    text: str,
    *,
    user: str | None = "UASKER01",
    channel: str = "CGENERAL",
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "channel_type": channel_type,
        "ts": ts or next_ts(),
        "text": text,
        **extra,
    }
    if user:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def block_action(
    action_id: str,
    value: str,
    *,
    response_url: str,
    user: str = "UASKER01",
    channel: str = "CGENERAL",
    message_ts: str = "1710000000.000100",
    ephemeral: bool = False,
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user},
        "api_app_id": "A0000001",
        "trigger_id": "1337.42.abcd",
        "channel": {"id": channel},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "message": {"ts": message_ts, "text": "answer"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "answer",
                "value": value,
                "type": "button",
                "action_ts": "1710000001.0",
            }
        ],
    }


def view_submission(
    view: dict[str, Any], values: dict[str, Any], *, user: str = "UASKER01"
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user},
        "api_app_id": "A0000001",
        "trigger_id": "1337.42.abcd",
        "view": {"type": "modal", **view, "id": "V0001", "state": {"values": values}},
    }
