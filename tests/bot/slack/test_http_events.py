"""Signed Events API traffic to the app in HTTP mode: verification, ack, one answer each."""

from __future__ import annotations

import json
import time

from tests.bot.conftest import Running
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID
from tests.fakes.slack_requests import event_callback, mention_event, message_event, sign


def answers_in(running: Running, count: int = 1) -> list[dict]:
    """The ``chat.update`` calls that replaced placeholders (the answers), once ``count`` arrived."""
    return [call.params for call in running.slack_api.wait_for("chat.update", count)]


def outbound(running: Running) -> list[str]:
    """Web API methods called, less bolt's own ``auth.test`` authorization."""
    return [call.method for call in running.slack_api.calls if call.method != "auth.test"]


def settle(running: Running) -> None:
    """Let in-flight background work finish so "nothing else happened" can be asserted."""
    time.sleep(0.2)
    running.services.workers.drain()


def test_bad_signature_is_rejected_with_401(advisor: Running) -> None:
    body = json.dumps(event_callback(mention_event("hi"))).encode()
    status, _ = advisor.sender.post(body, signature="v0=" + "0" * 64)
    assert status == 401
    assert advisor.slack_api.calls_to("chat.postMessage") == []


def test_stale_timestamp_is_rejected_with_401(advisor: Running) -> None:
    body = json.dumps(event_callback(mention_event("hi"))).encode()
    old = int(time.time()) - 6 * 60
    status, _ = advisor.sender.post(
        body, timestamp=old, signature=sign(advisor.sender.secret, str(old), body)
    )
    assert status == 401


def test_url_verification_echoes_the_challenge(advisor: Running) -> None:
    status, body = advisor.sender.event(
        {"token": "x", "challenge": "abc123", "type": "url_verification"}
    )
    assert status == 200
    assert "abc123" in body


def test_mention_gets_placeholder_then_answer_in_thread(advisor: Running) -> None:
    event = mention_event("how do we share data?")
    status, _ = advisor.sender.event(event_callback(event))
    assert status == 200
    placeholder = advisor.slack_api.wait_for("chat.postMessage")[0].params
    assert placeholder["thread_ts"] == event["ts"]
    answer = answers_in(advisor)[0]
    assert answer["ts"]
    text = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "What to do next" in text
    assert "<https://example.org/data-sharing|Data sharing › Agreements>" in text
    assert "Searched 12 playbooks and case notes" in text
    assert advisor.answerer.calls[0].question == "how do we share data?"


def test_retried_event_is_answered_once(advisor: Running) -> None:
    payload = event_callback(mention_event("retention of camera footage?"))
    assert advisor.sender.event(payload)[0] == 200
    assert advisor.sender.event(payload, retry_num=1)[0] == 200
    assert advisor.sender.event(payload, retry_num=2)[0] == 200
    answers_in(advisor)
    settle(advisor)
    assert len(advisor.slack_api.calls_to("chat.postMessage")) == 1
    assert len(advisor.answerer.calls) == 1


def test_mention_and_message_double_delivery_answered_once(advisor: Running) -> None:
    mention = mention_event("who owns the sensor data?")
    message = message_event(mention["text"], ts=mention["ts"])
    assert advisor.sender.event(event_callback(message))[0] == 200
    assert advisor.sender.event(event_callback(mention))[0] == 200
    answers_in(advisor)
    settle(advisor)
    assert len(advisor.answerer.calls) == 1


def test_own_and_other_bots_messages_are_ignored(advisor: Running) -> None:
    dm = {"channel": "DBOT", "channel_type": "im"}
    advisor.sender.event(event_callback(message_event("own", user=BOT_USER_ID, **dm)))
    advisor.sender.event(event_callback(message_event("bot", bot_id="BOTHER1", **dm)))
    advisor.sender.event(
        event_callback(message_event("bot", user=None, subtype="bot_message", bot_id=BOT_ID, **dm))
    )
    advisor.sender.event(
        event_callback(mention_event("hello", user="UOTHERBOT") | {"bot_id": "B2"})
    )
    settle(advisor)
    assert advisor.answerer.calls == []
    assert advisor.slack_api.calls_to("chat.postMessage") == []


def test_empty_mention_gets_help(advisor: Running) -> None:
    advisor.sender.event(event_callback(mention_event("")))
    help_post = advisor.slack_api.wait_for("chat.postMessage")[0].params
    assert "/advisor help" in json.dumps(help_post["blocks"])
    assert advisor.answerer.calls == []


def test_dm_question_is_answered(advisor: Running) -> None:
    event = message_event("what is a data steward?", channel="D0001", channel_type="im")
    advisor.sender.event(event_callback(event))
    answer = answers_in(advisor)[0]
    assert answer["channel"] == "D0001"
