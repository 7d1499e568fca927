"""``GET /healthz`` and graceful shutdown (in-flight answers finish)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

from tests.bot.conftest import Running, make_settings, start, stop
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import event_callback, mention_event


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_reports_all_parts(advisor: Running) -> None:
    status, body = get(advisor.server.url + "/healthz")
    assert status == 200
    assert body["ok"] is True
    assert body["index"] == {"ok": True, "documents": 12}
    assert body["database"] == {"ok": True}
    assert body["slack"]["ok"] is True


def test_healthz_is_503_when_slack_auth_fails(advisor: Running) -> None:
    advisor.slack_api.fail_next("auth.test", error="invalid_auth")
    status, body = get(advisor.server.url + "/healthz")
    assert status == 503
    assert body["slack"] == {"ok": False, "error": "invalid_auth"}


def test_shutdown_lets_in_flight_answers_finish(tmp_path: Path, slack_api: FakeSlackAPI) -> None:
    gate = threading.Event()
    running = start(make_settings(tmp_path, slack_api), FakeAnswerer(release=gate), slack_api)
    running.sender.event(event_callback(mention_event("in flight")))
    slack_api.wait_for("chat.postMessage")  # placeholder is up, the answer is being composed
    stopper = threading.Thread(target=stop, args=(running,))
    stopper.start()
    stopper.join(0.2)
    assert stopper.is_alive()  # waiting for the answer
    gate.set()
    stopper.join(10)
    assert not stopper.is_alive()
    assert len(slack_api.calls_to("chat.update")) == 1
