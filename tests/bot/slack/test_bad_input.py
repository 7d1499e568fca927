"""Bad input over HTTP: a clear response or a logged, harmless no-op; never a crash."""

from __future__ import annotations

import json

from tests.bot.conftest import Running
from tests.bot.slack.test_http_events import answers_in, outbound, settle
from tests.fakes.slack_requests import event_callback, mention_event, message_event


def test_malformed_json_is_rejected_without_crash(advisor: Running) -> None:
    status, _ = advisor.sender.post(b'{"type": "event_callback", "event": ')
    assert status in (400, 404)
    status, _ = advisor.sender.event(event_callback(mention_event("still alive?")))
    assert status == 200
    answers_in(advisor)


def test_missing_event_field_is_harmless(advisor: Running) -> None:
    payload = event_callback(mention_event("x"))
    del payload["event"]
    status, _ = advisor.sender.event(payload)
    assert status < 500
    settle(advisor)
    assert advisor.answerer.calls == []


def test_unknown_event_type_is_acknowledged(advisor: Running) -> None:
    status, _ = advisor.sender.event(event_callback({"type": "pin_added", "user": "U1"}))
    assert status == 200
    settle(advisor)
    assert outbound(advisor) == []


def test_forty_thousand_char_message_gets_a_clear_reply(advisor: Running) -> None:
    text = "why " * 10_000
    advisor.sender.event(event_callback(mention_event(text)))
    reply = answers_in(advisor)[0]
    assert "limit is 2,000" in reply["text"]
    assert advisor.answerer.calls == []


def test_emoji_and_right_to_left_text_round_trip(advisor: Running) -> None:
    question = "🚦 ما هي سياسة الاحتفاظ بالبيانات؟ שלום 👩🏽‍💻"
    advisor.sender.event(event_callback(mention_event(question)))
    reply = answers_in(advisor)[0]
    assert advisor.answerer.calls[0].question == question
    assert question in json.dumps(reply["blocks"], ensure_ascii=False)


def test_not_in_channel_is_a_logged_no_op(advisor: Running, caplog) -> None:
    advisor.slack_api.add_channel("CLOSED", not_in_channel=True)
    with caplog.at_level("WARNING"):
        status, _ = advisor.sender.event(event_callback(mention_event("hi", channel="CLOSED")))
        assert status == 200
        advisor.slack_api.wait_for("chat.postMessage")
        settle(advisor)
    assert advisor.answerer.calls == []
    assert advisor.slack_api.calls_to("chat.update") == []
    assert "not_in_channel" in caplog.text


def test_message_without_user_or_text_is_ignored(advisor: Running) -> None:
    advisor.sender.event(event_callback(message_event("", user=None, channel_type="im")))
    advisor.sender.event(
        event_callback(message_event("edited", subtype="message_changed", channel_type="im"))
    )
    settle(advisor)
    assert outbound(advisor) == []
