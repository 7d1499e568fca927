"""SlackGateway against the loopback fake: wire format, retries, and log-safe failures."""

from __future__ import annotations

import logging

import pytest

from bot.logs import configure_logging
from bot.slack.gateway import (
    GONE_DM_ERRORS,
    SlackCallFailed,
    SlackGateway,
    SlackUnreachable,
    build_web_client,
)
from tests.fakes.slack_api import BOT_USER_ID, FakeSlackAPI

TOKEN = "xoxb-test-secret-token"


def gateway_for(fake: FakeSlackAPI) -> SlackGateway:
    return SlackGateway(build_web_client(token=TOKEN, base_url=fake.base_url))


def test_auth_test_reports_bot_identity(slack_api: FakeSlackAPI) -> None:
    data = gateway_for(slack_api).auth_test()
    assert data["user_id"] == BOT_USER_ID
    call = slack_api.calls_to("auth.test")[0]
    assert call.headers["authorization"] == f"Bearer {TOKEN}"


def test_post_message_sends_blocks_and_thread(slack_api: FakeSlackAPI) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    ts = gateway_for(slack_api).post_message(
        channel="C1", text="hi", blocks=blocks, thread_ts="1.2"
    )
    assert ts
    params = slack_api.calls_to("chat.postMessage")[0].params
    assert params["channel"] == "C1"
    assert params["thread_ts"] == "1.2"
    assert params["blocks"] == blocks


def test_rate_limited_call_is_retried_after_retry_after(slack_api: FakeSlackAPI) -> None:
    slack_api.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    ts = gateway_for(slack_api).post_message(channel="C1", text="hello")
    assert ts
    calls = slack_api.calls_to("chat.postMessage")
    assert len(calls) == 2
    assert calls[1].at - calls[0].at >= 0.9  # waited for Retry-After


def test_server_error_is_retried(slack_api: FakeSlackAPI) -> None:
    slack_api.fail_next("conversations.open", status=500, times=2)
    assert gateway_for(slack_api).open_dm(user="U123") == "D123"
    assert len(slack_api.calls_to("conversations.open")) == 3


def test_post_dm_to_a_user_id_answers_the_dm_channel_conversations_open_gives(
    slack_api: FakeSlackAPI,
) -> None:
    gateway = gateway_for(slack_api)
    channel, ts = gateway.post_dm(user="U123", text="hi")
    assert (channel, bool(ts)) == (gateway.open_dm(user="U123"), True)
    assert channel == "D123"
    assert slack_api.calls_to("chat.postMessage")[0].params["channel"] == "U123"


def test_post_dm_to_a_deleted_user_fails_with_a_gone_user_code(slack_api: FakeSlackAPI) -> None:
    slack_api.add_user("UGONE1", deleted=True)
    with pytest.raises(SlackCallFailed) as info:
        gateway_for(slack_api).post_dm(user="UGONE1", text="hi")
    assert info.value.code in GONE_DM_ERRORS and info.value.destination_gone


def test_slack_error_raises_with_code_and_no_secrets(
    slack_api: FakeSlackAPI, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG", secrets=[TOKEN])
    try:
        slack_api.fail_next("chat.postMessage", error="not_in_channel")
        with pytest.raises(SlackCallFailed) as info:
            gateway_for(slack_api).post_message(channel="C9", text="secret question text")
        logging.getLogger("bot").debug("token is %s", TOKEN)
    finally:
        configure_logging("WARNING")
    assert info.value.code == "not_in_channel"
    assert info.value.destination_gone
    logged = capfd.readouterr().err
    assert "slack call failed" in logged
    assert TOKEN not in logged
    assert "secret question text" not in logged


def test_unreachable_api_raises_unreachable() -> None:
    client = build_web_client(token=TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2)
    client.retry_handlers.clear()
    with pytest.raises(SlackUnreachable):
        SlackGateway(client).auth_test()


def test_respond_posts_to_response_url(slack_api: FakeSlackAPI) -> None:
    gateway_for(slack_api).respond(
        response_url=slack_api.response_url("cmd"), payload={"text": "done"}
    )
    assert slack_api.calls_to("response:cmd")[0].params == {"text": "done"}
