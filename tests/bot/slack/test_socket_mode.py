"""Socket Mode end to end: bolt's built-in adapter against a loopback fake of Slack's WebSocket.

The app token opens a connection through the fake Web API (``apps.connections.open``),
envelopes arrive over a real WebSocket, acks go back over it, and answers go out through the
fake Web API, exactly as in HTTP mode.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.app import build_app
from bot.blocks import answer as ids
from bot.followup import jobs as checkin_jobs
from bot.scheduling.scheduler import start_checkin_scheduler
from bot.services import Services, build_services
from bot.slack import messages as msg
from bot.slack.server import run_socket_mode, shutdown, start_socket_mode, stop_socket_mode
from tests.bot.conftest import make_settings
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import event_callback, mention_event
from tests.fakes.socket_mode import APP_TOKEN, FakeSocketMode


@dataclass
class Connected:
    socket_mode: FakeSocketMode
    slack_api: FakeSlackAPI
    services: Services
    handler: SocketModeHandler
    answerer: FakeAnswerer

    def stop(self) -> None:
        """The ``advisor serve`` shutdown path: disconnect, then let in-flight work finish."""
        stop_socket_mode(self.handler)
        shutdown(self.handler.app, self.services)


@pytest.fixture
def connected(tmp_path: Path, slack_api: FakeSlackAPI) -> Iterator[Connected]:
    with FakeSocketMode(slack_api) as socket_mode:
        answerer = FakeAnswerer()
        services = build_services(make_settings(tmp_path, slack_api), advisor=answerer)
        app = build_app(services, token_verification=False)
        handler = start_socket_mode(app, app_token=APP_TOKEN)
        running = Connected(socket_mode, slack_api, services, handler, answerer)
        try:
            socket_mode.wait_connected()
            yield running
        finally:
            if not services.workers.closed:
                running.stop()


def test_connects_with_the_app_token(connected: Connected) -> None:
    (opened,) = connected.slack_api.calls_to("apps.connections.open")
    assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"
    (url,) = connected.socket_mode.opened
    assert url.startswith(f"ws://127.0.0.1:{connected.socket_mode.port}/link/")
    assert connected.handler.client.is_connected()
    assert connected.socket_mode.received == []  # nothing to ack yet


def test_a_bot_token_cannot_open_a_connection(tmp_path: Path, slack_api: FakeSlackAPI) -> None:
    with FakeSocketMode(slack_api):
        services = build_services(make_settings(tmp_path, slack_api), advisor=FakeAnswerer())
        app = build_app(services, token_verification=False)
        with pytest.raises(SlackApiError, match="not_allowed_token_type"):
            start_socket_mode(app, app_token="xoxb-not-an-app-token")
        shutdown(app, services)


def test_a_mention_is_acked_and_answered_once_despite_redelivery(connected: Connected) -> None:
    fake, slack_api = connected.socket_mode, connected.slack_api
    body = event_callback(mention_event("how long do we keep footage?"), event_id="EvSOCKET01")
    first = fake.events_api(body)
    assert fake.wait_for_ack(first) == {"envelope_id": first}
    update = slack_api.wait_for("chat.update")[0].params
    duplicate = fake.events_api(body, envelope_id=first)  # the very same envelope again
    retry = fake.events_api(body, retry_attempt=1, retry_reason="timeout")  # Slack's retry
    fake.wait_for_ack(first, count=2)
    assert fake.wait_for_ack(retry) == {"envelope_id": retry}
    connected.stop()  # every listener and answer still running finishes here

    assert duplicate == first
    assert [call.params["text"] for call in slack_api.calls_to("chat.postMessage")] == [msg.WORKING]
    assert len(slack_api.calls_to("chat.update")) == 1
    assert update["channel"] == "CGENERAL" and update["text"] not in (msg.BUSY, msg.FAILED)
    assert [call.question for call in connected.answerer.calls] == ["how long do we keep footage?"]


def test_a_slash_command_is_acked_with_its_payload_and_answered(connected: Connected) -> None:
    fake, slack_api = connected.socket_mode, connected.slack_api
    envelope_id = fake.slash_command(
        command="/advisor",
        text="how do we run a PIA?",
        user_id="UASKER01",
        channel_id="CGENERAL",
        response_url=slack_api.response_url("socket-cmd"),
        trigger_id="1.2.3",
    )
    ack = fake.wait_for_ack(envelope_id)
    assert ack["payload"]["response_type"] == "ephemeral"  # the private "working on it"
    reply = slack_api.wait_for("response:socket-cmd")[0].params
    assert reply["replace_original"] is True
    action_ids = [e["action_id"] for e in reply["blocks"][-1]["elements"]]
    assert ids.SHARE in action_ids


def test_slash_command_help_is_in_the_ack(connected: Connected) -> None:
    envelope_id = connected.socket_mode.slash_command(
        command="/advisor", text="help", user_id="UASKER01", channel_id="CGENERAL"
    )
    ack = connected.socket_mode.wait_for_ack(envelope_id)
    assert "/advisor help" in json.dumps(ack["payload"]["blocks"])
    assert connected.answerer.calls == []


def test_stopping_disconnects_and_drains(connected: Connected) -> None:
    connected.stop()
    connected.socket_mode.wait_disconnected()
    assert connected.services.workers.closed


def terminate_once_handled(original: object, problems: list[BaseException]) -> None:
    """SIGTERM this process, but only once a handler replaced ``original`` (else pytest dies)."""
    deadline = time.monotonic() + 10
    while signal.getsignal(signal.SIGTERM) is original:
        if time.monotonic() > deadline:
            problems.append(AssertionError("no SIGTERM handler was installed"))
            return
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGTERM)


def test_run_socket_mode_serves_until_sigterm_then_drains(
    tmp_path: Path, slack_api: FakeSlackAPI
) -> None:
    """``advisor serve``'s Socket Mode loop in this (main) thread, stopped by a real SIGTERM."""
    original = signal.getsignal(signal.SIGTERM)
    problems: list[BaseException] = []
    with FakeSocketMode(slack_api) as socket_mode:
        services = build_services(make_settings(tmp_path, slack_api), advisor=FakeAnswerer())
        app = build_app(services, token_verification=False)
        scheduler = start_checkin_scheduler(services)
        assert scheduler is not None and scheduler.running

        def ask_then_terminate() -> None:
            try:
                envelope_id = socket_mode.events_api(event_callback(mention_event("q?")))
                socket_mode.wait_for_ack(envelope_id)
            except BaseException as problem:  # reported by the test below
                problems.append(problem)
            terminate_once_handled(original, problems)

        helper = threading.Thread(target=ask_then_terminate, daemon=True)
        helper.start()
        try:
            run_socket_mode(app, services, app_token=APP_TOKEN, scheduler=scheduler)
        finally:
            helper.join(timeout=10)
            checkin_jobs.install(None)
        socket_mode.wait_disconnected()

    assert problems == []
    assert signal.getsignal(signal.SIGTERM) is original
    assert not scheduler.running
    assert services.workers.closed
    assert len(slack_api.calls_to("chat.update")) == 1  # the answer finished before exit
