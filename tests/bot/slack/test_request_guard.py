"""Malformed, oversized and badly signed requests: 400, 401 or 413, never 500, and nothing of
their bodies in the log at DEBUG (issue 11, items 1 and 2). In-process; the same cases run
against a real ``advisor serve`` in ``tests/reliability``."""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.blocks import modals
from bot.logs import MAX_RECORD_CHARS
from tests.bot.conftest import Running, make_settings, start, stop
from tests.bot.slack.test_http_events import answers_in
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import (
    FORM,
    event_callback,
    mention_event,
    sign,
    view_submission,
)

MARKER = "GUARD-MARKER-51c2"


@pytest.fixture
def small_limit(tmp_path: Path, slack_api: FakeSlackAPI) -> Iterator[Running]:
    """The app with a 64 KiB body limit."""
    running = start(
        make_settings(tmp_path, slack_api, max_request_bytes=65_536), FakeAnswerer(), slack_api
    )
    try:
        yield running
    finally:
        stop(running)


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize(
    "body",
    [b"[]", b"null", b'"x"', b"42", b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000],
    ids=["list", "null", "string", "number", "deep-list", "deep-object"],
)
def test_signed_json_that_is_not_an_object_gets_400(advisor: Running, body: bytes) -> None:
    status, _ = advisor.sender.post(body)
    assert status == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "event_callback", "event": "x"},
        {"type": "event_callback", "event": []},
        {"type": "event_callback", "authorizations": "x", "event": {"type": "app_mention"}},
    ],
    ids=["event-string", "event-list", "authorizations-string"],
)
def test_signed_objects_of_the_wrong_shape_get_400(advisor: Running, payload: dict) -> None:
    status, _ = advisor.sender.event(payload)
    assert status == 400


@pytest.mark.parametrize(
    "payload",
    ["[]", "{", "[" * 50_000, json.dumps({"type": "block_actions", "actions": "x"})],
    ids=["list", "truncated", "deep", "actions-string"],
)
def test_signed_interaction_payloads_of_the_wrong_shape_get_400(
    advisor: Running, payload: str
) -> None:
    status, _ = advisor.sender.post(urlencode({"payload": payload}).encode(), content_type=FORM)
    assert status == 400


def test_a_non_numeric_timestamp_gets_401(advisor: Running) -> None:
    body = b'{"type": "event_callback"}'
    for timestamp in ("abc", "", "1e9", "9" * 5000):
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": "v0=" + "0" * 64,
        }
        assert raw_post(advisor.sender.url, body, headers) == 401


def test_missing_signature_headers_get_401(advisor: Running) -> None:
    assert raw_post(advisor.sender.url, b"{}", {"Content-Type": "application/json"}) == 401


def test_a_body_over_the_limit_gets_413_signed_or_not(small_limit: Running) -> None:
    big = json.dumps({"type": "event_callback", "pad": "x" * 70_000}).encode()
    assert small_limit.sender.post(big)[0] == 413
    assert small_limit.sender.post(big, signature="v0=" + "0" * 64)[0] == 413
    status, _ = small_limit.sender.event(event_callback(mention_event("still fine?")))
    assert status == 200
    answers_in(small_limit)


def test_the_app_keeps_answering_after_malformed_requests(advisor: Running) -> None:
    for body in (b"[]", b"[" * 100_000, b"\xff\xfe"):
        assert advisor.sender.post(body)[0] in (400, 401)
    status, _ = advisor.sender.event(event_callback(mention_event("alive?")))
    assert status == 200
    answers_in(advisor)


def test_no_marked_text_reaches_the_log_at_debug(advisor: Running, debug_log: io.StringIO) -> None:
    """Bad signature, stale timestamp, malformed JSON, a handler error and a real answer,
    each carrying the marker: the log shows each happened, never the marker."""
    body = json.dumps(event_callback(mention_event(f"my question {MARKER}"))).encode()
    assert advisor.sender.post(body, signature="v0=" + "0" * 64)[0] == 401
    old = int(time.time()) - 10 * 60
    assert advisor.sender.post(body, timestamp=old, signature=sign("x", str(old), body))[0] == 401
    assert advisor.sender.post(b'{"event": {"text": "' + MARKER.encode() + b'"')[0] == 400
    assert advisor.sender.post(b"[" + json.dumps(MARKER).encode() + b"]")[0] == 400
    unsigned_megabyte = b'{"text": "' + (MARKER * 80_000).encode() + b'"}'
    assert advisor.sender.post(unsigned_megabyte, signature="v0=00")[0] == 413
    # A listener that raises on the marker (a due date that is not a date).
    view = {"callback_id": modals.COMMITMENT_CALLBACK, "private_metadata": "{}"}
    values = {
        modals.DUE[0]: {modals.DUE[1]: {"type": "datepicker", "selected_date": MARKER}},
        modals.GROUP[0]: {
            modals.GROUP[1]: {"type": "static_select", "selected_option": {"value": MARKER}}
        },
        modals.TITLE[0]: {modals.TITLE[1]: {"type": "plain_text_input", "value": MARKER}},
    }
    interaction = urlencode({"payload": json.dumps(view_submission(view, values))}).encode()
    assert advisor.sender.post(interaction, content_type=FORM)[0] in (200, 400)
    advisor.sender.event(event_callback(mention_event(f"answer me {MARKER}")))
    answers_in(advisor)
    time.sleep(0.3)  # let the listener threads finish logging
    logged = debug_log.getvalue()
    assert "rejected a request: invalid request (HTTP 401)" in logged
    assert "rejected a request: malformed request (HTTP 400)" in logged
    assert "rejected a request: request body too large (HTTP 413)" in logged
    assert MARKER not in logged
    assert all(len(line) <= MAX_RECORD_CHARS for line in logged.splitlines())
