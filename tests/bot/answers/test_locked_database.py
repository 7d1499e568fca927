"""A locked database on the request path: bounded waits, the asker always sees the
placeholder and then an answer or a clear note, and ``/healthz`` says the database is
degraded (issue 11, item 3). In-process on SQLite and PostgreSQL; ``tests/reliability``
repeats it against a real ``advisor serve``."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bot.slack import messages as msg
from tests.bot.conftest import Running, make_settings, start, stop
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import event_callback, mention_event

DB_WAIT = 0.5  # ADVISOR_DATABASE_TIMEOUT_SECONDS of these tests
ANSWER_TIMEOUT = 4.0


@contextmanager
def locked(db_url: str) -> Iterator[None]:
    """Another client holds the table every question is claimed in (PostgreSQL) or the
    whole database (SQLite) until the block ends."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        blocker = sqlite3.connect(str(url.database), isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    options = str(url.query.get("options", ""))
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    conninfo = conninfo.split("?", 1)[0]
    with psycopg.connect(conninfo, options=options) as blocker:
        blocker.execute("LOCK TABLE processed_event IN ACCESS EXCLUSIVE MODE")
        yield
        blocker.rollback()


def health(running: Running) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(running.server.url + "/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def running(db_url: str, tmp_path: Path, slack_api: FakeSlackAPI) -> Iterator[Running]:
    settings = make_settings(
        tmp_path,
        slack_api,
        database_url=db_url,
        database_timeout_seconds=DB_WAIT,
        answer_timeout_seconds=ANSWER_TIMEOUT,
    )
    app = start(settings, FakeAnswerer(), slack_api)
    try:
        yield app
    finally:
        stop(app)


def wait_until(condition: Callable[[], bool], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_a_locked_claim_table_gets_placeholder_then_a_note_in_time(
    running: Running, db_url: str
) -> None:
    with locked(db_url):
        sent = time.monotonic()
        assert running.sender.event(event_callback(mention_event("during the lock")))[0] == 200
        (placeholder,) = running.slack_api.wait_for("chat.postMessage", timeout=5)
        (note,) = running.slack_api.wait_for("chat.update", timeout=ANSWER_TIMEOUT + 2)
        assert note.at - sent < ANSWER_TIMEOUT + 1  # bounded by the database wait
        status, report = health(running)
    assert placeholder.params["text"] == msg.WORKING
    assert note.params["text"] == msg.NOT_RECEIVED
    assert running.answerer.calls == []
    assert status == 503
    assert report["database"]["ok"] is False
    assert report["database"]["status"] == "degraded"

    # The lock is gone: the next question is answered and health recovers.
    running.sender.event(event_callback(mention_event("after the lock")))
    running.slack_api.wait_for("chat.update", 2, timeout=10)
    assert [c.question for c in running.answerer.calls] == ["after the lock"]
    wait_until(lambda: health(running)[0] == 200, timeout=10)


def test_healthz_reports_a_locked_postgres_table_before_anyone_asks(
    running: Running, db_url: str
) -> None:
    if make_url(db_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite readers are never blocked; the request path reports it instead")
    assert health(running)[0] == 200
    with locked(db_url):
        started = time.monotonic()
        status, report = health(running)
        assert time.monotonic() - started < 5
    assert status == 503
    assert report["database"]["status"] == "degraded"
    assert health(running)[0] == 200


@pytest.fixture
def patient(db_url: str, tmp_path: Path, slack_api: FakeSlackAPI) -> Iterator[Running]:
    """The app with a database wait long enough to outlast a short lock."""
    settings = make_settings(tmp_path, slack_api, database_url=db_url, database_timeout_seconds=5.0)
    app = start(settings, FakeAnswerer(), slack_api)
    try:
        yield app
    finally:
        stop(app)


def test_a_slow_claim_shows_the_placeholder_early(patient: Running, db_url: str) -> None:
    """A claim still waiting after half a second puts "working on it" up anyway; when it
    then succeeds, that placeholder becomes the answer."""
    running = patient
    with locked(db_url):
        assert running.sender.event(event_callback(mention_event("slow claim")))[0] == 200
        (placeholder,) = running.slack_api.wait_for("chat.postMessage", timeout=4)
        assert running.slack_api.calls_to("chat.update") == []  # the claim is still waiting
    (answer,) = running.slack_api.wait_for("chat.update", timeout=10)
    assert placeholder.params["text"] == msg.WORKING
    assert answer.params["text"] not in (msg.NOT_RECEIVED, msg.TIMED_OUT)
    assert [c.question for c in running.answerer.calls] == ["slow claim"]


def test_a_redelivery_slow_to_claim_takes_its_early_placeholder_down(
    patient: Running, db_url: str
) -> None:
    running = patient
    payload = event_callback(mention_event("asked once"))
    running.sender.event(payload)
    running.slack_api.wait_for("chat.update", timeout=10)
    with locked(db_url):
        assert running.sender.event(payload, retry_num=1)[0] == 200
        running.slack_api.wait_for("chat.postMessage", 2, timeout=4)  # the early placeholder
    (deleted,) = running.slack_api.wait_for("chat.delete", timeout=10)
    second = running.slack_api.calls_to("chat.postMessage")[1]
    assert second.params["text"] == msg.WORKING
    assert deleted.params["channel"] == second.params["channel"]
    assert len(running.answerer.calls) == 1
    assert len(running.slack_api.calls_to("chat.update")) == 1
