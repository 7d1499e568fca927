"""The real retrieval engine behind the real Slack app: one signed mention, one grounded answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import build_app
from bot.services import build_services
from bot.slack.server import HttpServer
from retrieval.engine import Advisor
from tests.bot.conftest import SECRET, make_settings
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SlackSender, event_callback, mention_event


@pytest.mark.model
def test_mention_answered_from_shipped_playbooks(
    tmp_path: Path, slack_api: FakeSlackAPI, shipped_advisor: Advisor
) -> None:
    services = build_services(make_settings(tmp_path, slack_api), advisor=shipped_advisor)
    server = HttpServer(
        build_app(services, token_verification=False), services, host="127.0.0.1", port=0
    ).start_in_thread()
    try:
        question = "How long should police keep camera footage, and who decides?"
        status, _ = SlackSender(server.url, SECRET).event(event_callback(mention_event(question)))
        assert status == 200
        update = slack_api.wait_for("chat.update", timeout=60)[0].params
    finally:
        server.stop()
        services.close()
    text = json.dumps(update["blocks"], ensure_ascii=False)
    assert "Searched" in text
    assert "*Sources*" in text or "Closest topics" in text
    assert "Sorry" not in update["text"]
