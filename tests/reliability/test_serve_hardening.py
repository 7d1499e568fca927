"""Issue 11 against a real ``advisor serve`` (one per backend for the module): no bodies or
question text in the log at DEBUG and capped lines (item 1), no 500s (item 2), a locked
database never leaves the asker in silence (item 3), a burst of 200 mentions is answered
with no refusals (item 7), and the small ones (item 9)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bot.blocks import modals
from bot.logs import MAX_RECORD_CHARS
from bot.slack import messages as msg
from storage.threads import is_answer_thread, remember_thread
from tests.bot.answers.test_locked_database import locked
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI
from tests.fakes.slack_requests import (
    FORM,
    event_callback,
    mention_event,
    sign,
    view_submission,
)
from tests.reliability.conftest import Serve, run_cli, start_serve, wait_until

pytestmark = [pytest.mark.separate_process, pytest.mark.model]

DB_WAIT_SECONDS = 1.0
ANSWER_TIMEOUT_SECONDS = 8.0
BURST = 200


@pytest.fixture(scope="module")
def serve(
    backend_url: str, module_slack: FakeSlackAPI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Serve]:
    running = start_serve(
        tmp_path_factory.mktemp("serve"),
        module_slack,
        database_url=backend_url,
        extra={
            "ADVISOR_DATABASE_TIMEOUT_SECONDS": str(DB_WAIT_SECONDS),
            "ADVISOR_ANSWER_TIMEOUT_SECONDS": str(ANSWER_TIMEOUT_SECONDS),
        },
    )
    try:
        yield running
    finally:
        code = running.stop()
        assert code == 0, running.log_text()[-4000:]


def answers(slack: FakeSlackAPI, count: int, *, timeout: float = 30) -> list[dict]:
    return [call.params for call in slack.wait_for("chat.update", count, timeout=timeout)]


# --- item 2: malformed requests ---------------------------------------------------------


def test_malformed_requests_get_400_401_or_413_never_500(serve: Serve, slack: FakeSlackAPI) -> None:
    sender = serve.sender
    signed = {
        "list": b"[]",
        "null": b"null",
        "string": b'"x"',
        "deep list": b"[" * 100_000 + b"]" * 100_000,
        "deep object": b'{"a":' * 100_000,
        "event string": json.dumps({"type": "event_callback", "event": "x"}).encode(),
        "truncated": b'{"type": "event_callback", "event": ',
    }
    for name, body in signed.items():
        status, _ = sender.post(body)
        assert status == 400, name
    payload = urlencode({"payload": json.dumps({"type": "block_actions", "actions": "x"})})
    assert sender.post(payload.encode(), content_type=FORM)[0] == 400
    for timestamp in ("abc", "1e9", ""):
        status, _ = sender.post(
            b"{}", signature="v0=00", headers={"X-Slack-Request-Timestamp": timestamp}
        )
        assert status == 401, timestamp
    two_megabytes = b'{"pad": "' + b"x" * 2_000_000 + b'"}'
    assert sender.post(two_megabytes)[0] == 413
    assert sender.post(two_megabytes, signature="v0=00")[0] == 413
    # still answering
    assert sender.event(event_callback(mention_event("How long is footage kept?")))[0] == 200
    (answer,) = answers(slack, 1)
    assert answer["text"] not in (msg.FAILED, msg.BUSY, msg.TIMED_OUT, msg.NOT_RECEIVED)
    assert serve.alive()


# --- item 1: nothing of a request, question or answer in the log ---------------------------


def test_no_body_question_or_answer_text_reaches_the_log_at_debug(
    serve: Serve, slack: FakeSlackAPI
) -> None:
    marker = f"LOGMARK-{time.monotonic_ns()}"
    sender = serve.sender
    body = json.dumps(event_callback(mention_event(f"my question {marker}"))).encode()
    # bad signature, stale timestamp, malformed JSON, non-object JSON, a 1 MB unsigned body
    assert sender.post(body, signature="v0=" + "0" * 64)[0] == 401
    old = int(time.time()) - 10 * 60
    assert sender.post(body, timestamp=old, signature=sign("x", str(old), body))[0] == 401
    assert sender.post(b'{"event": {"text": "' + marker.encode() + b'"')[0] == 400
    assert sender.post(json.dumps([marker]).encode())[0] == 400
    megabyte = b'{"event": {"text": "' + (marker * (1_000_000 // len(marker))).encode() + b'"}}'
    assert sender.post(megabyte, signature="v0=00")[0] == 401
    # a handler error: a commitment form whose due date is the marker
    view = {"callback_id": modals.COMMITMENT_CALLBACK, "private_metadata": "{}"}
    values = {
        modals.DUE[0]: {modals.DUE[1]: {"type": "datepicker", "selected_date": marker}},
        modals.GROUP[0]: {
            modals.GROUP[1]: {"type": "static_select", "selected_option": {"value": "1"}}
        },
        modals.TITLE[0]: {modals.TITLE[1]: {"type": "plain_text_input", "value": marker}},
    }
    form = urlencode({"payload": json.dumps(view_submission(view, values))}).encode()
    assert sender.post(form, content_type=FORM)[0] == 400
    # a question answered for real: its text is in the answer, never in the log
    assert sender.event(event_callback(mention_event(f"camera footage {marker}")))[0] == 200
    (answer,) = answers(slack, 1)
    assert marker in json.dumps(answer["blocks"])
    wait_until(
        lambda: "request handling failed: ValueError" in serve.log_text(),
        timeout=10,
        what="the handler error was not logged",
    )
    logged = serve.log_text()
    assert "rejected a request: invalid request (HTTP 401)" in logged
    assert "rejected a request: malformed request (HTTP 400)" in logged
    assert marker not in logged
    assert max(len(line) for line in logged.splitlines()) <= MAX_RECORD_CHARS


# --- item 3: a locked database --------------------------------------------------------------


def test_a_locked_database_gives_placeholder_then_a_note_and_degraded_health(
    serve: Serve, slack: FakeSlackAPI
) -> None:
    assert serve.health()[0] == 200
    with locked(serve.database_url):
        sent = time.monotonic()
        assert serve.sender.event(event_callback(mention_event("during the lock")))[0] == 200
        (placeholder,) = slack.wait_for("chat.postMessage", timeout=5)
        (note,) = slack.wait_for("chat.update", timeout=ANSWER_TIMEOUT_SECONDS + 5)
        elapsed = note.at - sent
        status, report = serve.health()
    assert placeholder.params["text"] == msg.WORKING
    assert note.params["text"] == msg.NOT_RECEIVED
    assert elapsed < ANSWER_TIMEOUT_SECONDS
    assert status == 503
    assert report["database"]["ok"] is False
    assert report["database"]["status"] == "degraded"
    # after the lock: answered, and healthy again
    assert serve.sender.event(event_callback(mention_event("after the lock")))[0] == 200
    wait_until(
        lambda: len(slack.calls_to("chat.update")) >= 2, timeout=30, what="no answer after the lock"
    )
    assert slack.calls_to("chat.update")[-1].params["text"] != msg.NOT_RECEIVED
    wait_until(lambda: serve.health()[0] == 200, timeout=15, what="health did not recover")


# --- item 7: a burst --------------------------------------------------------------------------


def test_a_burst_of_200_simultaneous_mentions_is_answered_with_no_refusals(
    serve: Serve, slack: FakeSlackAPI
) -> None:
    sender = serve.sender
    payloads = [
        event_callback(mention_event(f"How long should camera footage be kept? (asker {n})"))
        for n in range(BURST)
    ]
    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(lambda p: sender.event(p)[0], payloads))
    assert statuses == [200] * BURST
    updates = answers(slack, BURST, timeout=180)
    texts = [u["text"] for u in updates]
    for refusal in (msg.BUSY, msg.TIMED_OUT, msg.FAILED, msg.NOT_RECEIVED):
        assert refusal not in texts, serve.log_text()[-3000:]
    assert len({u["ts"] for u in updates}) == BURST  # every placeholder replaced once


# --- item 9: the small ones -------------------------------------------------------------------


def test_a_300_character_group_name_is_refused_with_the_limit(
    serve: Serve, slack: FakeSlackAPI
) -> None:
    status, _ = serve.sender.command(
        command="/advisor",
        text="group create " + "g" * 300,
        user_id="ULEAD0009",
        channel_id="CGENERAL",
        response_url=slack.response_url("long-name"),
        trigger_id="1.2.3",
        team_id=TEAM_ID,
    )
    assert status == 200
    (reply,) = slack.wait_for("response:long-name")
    assert "300 characters long" in reply.params["text"]
    assert "limit is 80" in reply.params["text"]


def test_questions_purge_forgets_answer_threads_past_retention(serve: Serve) -> None:
    now = datetime.now(UTC)  # the CLI runs apart, on the real clock
    with serve.engine.begin() as connection:
        connection.execute(text("DELETE FROM answer_thread"))
    with Session(serve.engine) as session:
        remember_thread(
            session, channel_id="CPURGE", thread_ts="1.0", now=now - timedelta(days=100)
        )
        remember_thread(session, channel_id="CPURGE", thread_ts="2.0", now=now - timedelta(days=1))
    result = run_cli(
        ["questions", "purge"],
        {
            "ADVISOR_DATABASE_URL": serve.database_url,
            "ADVISOR_DATA_DIR": serve.env["ADVISOR_DATA_DIR"],
        },
        cwd=Path(serve.cwd),
    )
    assert result.returncode == 0, result.stderr
    assert "1 answer thread(s) older than 90 days" in result.stdout
    with Session(serve.engine) as session:
        assert not is_answer_thread(session, channel_id="CPURGE", thread_ts="1.0")
        assert is_answer_thread(session, channel_id="CPURGE", thread_ts="2.0")
