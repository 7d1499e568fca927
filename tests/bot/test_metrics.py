"""``/metrics`` moves when questions go through the fake Slack, in HTTP and in Socket Mode.

Every test scrapes the running app over HTTP (``GET /metrics``, Prometheus' text format,
parsed with prometheus_client's own parser) or reads the ``Metrics`` registry a check-in
runtime was given; each ``build_services`` has its own registry, so tests never share a
count.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.app import build_app
from bot.followup import jobs as checkin_jobs
from bot.metrics import Metrics
from bot.scheduling.scheduler import start_checkin_scheduler
from bot.services import build_services
from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.server import run_socket_mode
from storage.engine import SessionFactory
from tests.bot.conftest import Running, make_settings
from tests.bot.followup.runtime import make_runtime
from tests.fakes.answerer import DOCUMENTS, FakeAnswerer
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import Call, FakeSlackAPI
from tests.fakes.slack_requests import event_callback, mention_event
from tests.fakes.socket_mode import APP_TOKEN, FakeSocketMode
from tests.storage.helpers import make_commitment, make_group

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["content-type"], response.read().decode()


def scrape(base_url: str) -> Samples:
    """``GET /metrics``: every sample by name and labels."""
    status, content_type, text = get(base_url + "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def wait_for(base_url: str, done: Callable[[Samples], bool], timeout: float = 10.0) -> Samples:
    """Scrape until ``done(samples)``: a count moves just after the answer reaches Slack."""
    deadline = time.monotonic() + timeout
    while True:
        samples = scrape(base_url)
        if done(samples) or time.monotonic() > deadline:
            return samples
        time.sleep(0.05)


def questions(samples: Samples, outcome: str, surface: str = "mention") -> float:
    return value(samples, "advisor_questions_total", surface=surface, outcome=outcome)


def test_an_answered_mention_moves_the_counters(advisor: Running) -> None:
    url = advisor.server.url
    before = scrape(url)
    assert questions(before, "answered") == 0  # every series exists from the start
    assert value(before, "advisor_index_documents") == DOCUMENTS
    assert value(before, "advisor_scheduler_leader") == 0  # no scheduler in this process

    advisor.sender.event(event_callback(mention_event("how do we share data?")))
    advisor.slack_api.wait_for("chat.update")
    after = wait_for(url, lambda s: questions(s, "answered") == 1)

    assert questions(after, "answered") == 1
    assert questions(after, "failed") == 0
    assert value(after, "advisor_answer_seconds_count", surface="mention") == 1
    assert value(after, "advisor_answer_seconds_sum", surface="mention") > 0
    text = get(url + "/metrics")[2]
    assert "how do we share data" not in text  # never a question in a label


def test_abstained_and_failed_questions_are_told_apart(advisor: Running) -> None:
    url = advisor.server.url
    advisor.sender.event(event_callback(mention_event("nothing-known about vendors")))
    advisor.slack_api.wait_for("chat.update")
    wait_for(url, lambda s: questions(s, "abstained") == 1)
    advisor.answerer.error = RuntimeError("the engine broke")
    advisor.sender.event(event_callback(mention_event("and now?")))
    advisor.slack_api.wait_for("chat.update", 2)
    after = wait_for(url, lambda s: questions(s, "failed") == 1)
    assert questions(after, "abstained") == 1
    assert questions(after, "failed") == 1
    assert questions(after, "answered") == 0
    assert value(after, "advisor_answer_seconds_count", surface="mention") == 1  # abstained


def test_slack_api_errors_and_rate_limits_are_counted(advisor: Running) -> None:
    url = advisor.server.url
    advisor.slack_api.fail_next("chat.update", status=429, error="ratelimited", retry_after=0)
    advisor.sender.event(event_callback(mention_event("rate limits?")))
    advisor.slack_api.wait_for("chat.update", 2)  # the 429, then the retried update
    limited = wait_for(url, lambda s: questions(s, "answered") == 1)
    assert value(limited, "advisor_slack_rate_limited_total", method="chat.update") == 1
    assert questions(limited, "answered") == 1  # the retry went through

    advisor.slack_api.fail_next("chat.update", error="msg_too_long")
    advisor.sender.event(event_callback(mention_event("anything")))
    advisor.slack_api.wait_for("chat.update", 4)  # refused, then the notice that says so
    after = wait_for(url, lambda s: questions(s, "failed") == 1)
    errors = value(
        after, "advisor_slack_api_errors_total", method="chat.update", error="msg_too_long"
    )
    assert errors == 1
    assert questions(after, "failed") == 1


def test_healthz_and_metrics_are_served_in_http_mode(advisor: Running) -> None:
    status, _, body = get(advisor.server.url + "/healthz")
    assert status == 200 and json.loads(body)["ok"] is True
    assert "advisor_index_info" in get(advisor.server.url + "/metrics")[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_socket_mode_serves_healthz_and_metrics_on_the_health_port(
    tmp_path: Path, slack_api: FakeSlackAPI
) -> None:
    """``advisor serve``'s Socket Mode loop with ``ADVISOR_HEALTH_PORT``: a question over the
    WebSocket moves ``/metrics`` on the health port; SIGTERM stops both."""
    port = free_port()
    settings = make_settings(tmp_path, slack_api, host="127.0.0.1", health_port=port)
    url = f"http://127.0.0.1:{port}"
    original = signal.getsignal(signal.SIGTERM)
    seen: dict[str, object] = {}
    problems: list[BaseException] = []
    with FakeSocketMode(slack_api) as socket_mode:
        services = build_services(settings, advisor=FakeAnswerer())
        app = build_app(services, token_verification=False)

        def ask_then_terminate() -> None:
            try:
                socket_mode.wait_connected()
                seen["healthz"] = get(url + "/healthz")
                seen["before"] = scrape(url)
                envelope_id = socket_mode.events_api(event_callback(mention_event("q?")))
                socket_mode.wait_for_ack(envelope_id)
                slack_api.wait_for("chat.update")
                seen["after"] = wait_for(url, lambda s: questions(s, "answered") == 1)
            except BaseException as problem:  # reported by the test below
                problems.append(problem)
            deadline = time.monotonic() + 10
            while signal.getsignal(signal.SIGTERM) is original and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(os.getpid(), signal.SIGTERM)

        helper = threading.Thread(target=ask_then_terminate, daemon=True)
        helper.start()
        try:
            run_socket_mode(app, services, app_token=APP_TOKEN)
        finally:
            helper.join(timeout=10)

    assert problems == []
    status, _, body = seen["healthz"]  # type: ignore[misc]
    assert status == 200 and json.loads(body)["ok"] is True
    assert questions(seen["before"], "answered") == 0  # type: ignore[arg-type]
    assert questions(seen["after"], "answered") == 1  # type: ignore[arg-type]
    with socket.socket() as probe:  # the health server stopped with the process's loop
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_checkins_sent_and_failed_are_counted(
    session_factory: SessionFactory, slack_api: FakeSlackAPI
) -> None:
    created = datetime(2026, 2, 1, tzinfo=UTC)
    nine = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # a Monday, the group's check-in time
    with session_factory() as session:
        group = make_group(session, now=created)
        for owner in ("UOWNA", "UOWNB", "UGONE"):
            make_commitment(session, group, owner=owner, due=date(2026, 4, 1), now=created)
    slack_api.add_user("UGONE", deleted=True)  # unreachable: recorded, never retried

    def refuse_uownb(call: Call) -> dict[str, object] | None:  # failed: retried later
        return (
            {"ok": False, "error": "internal_error"} if call.params["channel"] == "UOWNB" else None
        )

    slack_api.respond("chat.postMessage", refuse_uownb)
    metrics = Metrics()
    client = build_web_client(
        token="xoxb-test", base_url=slack_api.base_url, on_rate_limited=metrics.rate_limited
    )
    gateway = SlackGateway(client, metrics=metrics)
    runtime = dataclasses.replace(
        make_runtime(session_factory, slack_api, FakeClock(nine), gateway=gateway),
        metrics=metrics,
    )
    report = checkin_jobs.run_due(runtime)

    def count(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    assert (report.sent, report.failed, report.unreachable) == (1, 1, 1)
    sent, failed, gone = (
        count("advisor_checkin_messages_total", result=result)
        for result in ("sent", "failed", "unreachable")
    )
    assert (sent, failed, gone) == (1, 1, 1)
    posted = "chat.postMessage"
    assert count("advisor_slack_api_errors_total", method=posted, error="internal_error") == 1
    assert count("advisor_slack_api_errors_total", method=posted, error="user_disabled") == 1


def test_the_scheduler_leader_gauge_follows_leadership(
    tmp_path: Path, slack_api: FakeSlackAPI
) -> None:
    services = build_services(make_settings(tmp_path, slack_api), advisor=FakeAnswerer())
    leader = services.metrics.registry.get_sample_value
    try:
        assert leader("advisor_scheduler_leader") == 0
        scheduler = start_checkin_scheduler(services)
        assert scheduler is not None and scheduler.running
        assert leader("advisor_scheduler_leader") == 1
        scheduler.shutdown()
        assert leader("advisor_scheduler_leader") == 0
    finally:
        checkin_jobs.install(None)
        services.close()


def test_each_metrics_has_its_own_registry() -> None:
    one = Metrics()
    two = Metrics()
    one.question_finished("dm", "answered", seconds=0.2)
    assert (
        one.registry.get_sample_value(
            "advisor_questions_total", {"surface": "dm", "outcome": "answered"}
        )
        == 1
    )
    assert (
        two.registry.get_sample_value(
            "advisor_questions_total", {"surface": "dm", "outcome": "answered"}
        )
        == 0
    )
