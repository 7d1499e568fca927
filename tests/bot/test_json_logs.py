"""``ADVISOR_LOG_FORMAT=json``: one JSON object per line that keeps the ``extra=`` context,
and still no bodies, questions or secrets; the text format keeps the context too."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from bot.followup import jobs as checkin_jobs
from bot.logs import MAX_RECORD_CHARS, build_handler, configure_logging
from bot.settings import Settings, describe_settings_error
from bot.slack.gateway import SlackCallFailed, SlackGateway, build_web_client
from storage.engine import SessionFactory
from tests.bot.conftest import on_root_at_debug
from tests.bot.followup.runtime import make_runtime
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlackAPI
from tests.storage.helpers import make_commitment, make_group

MARKER = "QUESTION-MARKER-7f3a"
TOKEN = "xoxb-1234-5678-secrettoken"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The advisor's handler in JSON format on the root logger, every logger at DEBUG."""
    stream = io.StringIO()
    handler = build_handler(stream, secrets=["signing-secret-abcdef"], log_format="json")
    with on_root_at_debug(handler, ("slack_bolt", "slack_sdk", "bot")):
        yield stream


def records(stream: io.StringIO) -> list[dict[str, object]]:
    """Every line is one JSON object (``json.loads`` fails otherwise)."""
    lines = stream.getvalue().splitlines()
    assert all(len(line) <= MAX_RECORD_CHARS for line in lines)
    return [json.loads(line) for line in lines]


def test_each_record_is_one_json_object_with_its_context(json_log: io.StringIO) -> None:
    logging.getLogger("bot.followup.send").warning(
        "check-in not sent; will retry", extra={"checkin_id": 7, "code": "ratelimited"}
    )
    logging.getLogger("bot.scheduling.scheduler").info(
        "picked up new or changed groups", extra={"group_ids": [3, 4]}
    )
    first, second = records(json_log)
    assert first["level"] == "WARNING" and first["logger"] == "bot.followup.send"
    assert first["message"] == "check-in not sent; will retry"
    assert first["checkin_id"] == 7 and first["code"] == "ratelimited"
    assert isinstance(first["time"], str) and first["time"].endswith("+00:00")
    assert second["group_ids"] == [3, 4]


def test_a_real_slack_failure_keeps_method_and_error(
    json_log: io.StringIO, slack_api: FakeSlackAPI
) -> None:
    slack_api.fail_next("chat.postMessage", error="not_in_channel")
    gateway = SlackGateway(build_web_client(token=TOKEN, base_url=slack_api.base_url))
    with pytest.raises(SlackCallFailed):
        gateway.post_message(channel="C9", text=f"answer to {MARKER}")
    (failed,) = [r for r in records(json_log) if r["message"] == "slack call failed"]
    assert failed["slack_method"] == "chat.postMessage"
    assert failed["slack_error"] == "not_in_channel"
    assert MARKER not in json_log.getvalue() and TOKEN not in json_log.getvalue()


def test_a_check_in_run_logs_its_ids_and_counts(
    json_log: io.StringIO, session_factory: SessionFactory, slack_api: FakeSlackAPI
) -> None:
    created = datetime(2026, 2, 1, tzinfo=UTC)
    with session_factory() as session:
        group = make_group(session, now=created)
        make_commitment(session, group, owner="UOWNA", due=date(2026, 4, 1), now=created)
    slack_api.fail_next("chat.postMessage", error="internal_error")
    runtime = make_runtime(
        session_factory, slack_api, FakeClock(datetime(2026, 3, 9, 9, tzinfo=UTC))
    )
    checkin_jobs.run_due(runtime)
    logged = records(json_log)
    (retry,) = [r for r in logged if r["message"] == "check-in not sent; will retry"]
    assert isinstance(retry["checkin_id"], int) and retry["code"] == "internal_error"
    (run,) = [r for r in logged if r["message"] == "check-in run"]
    assert (run["sent"], run["failed"], run["skipped"], run["unreachable"]) == (0, 1, 0, 0)


def test_library_records_lose_their_bodies_and_their_fields(json_log: io.StringIO) -> None:
    logging.getLogger("slack_bolt.App").warning(
        f"Unhandled request ({{'text': '{MARKER}'}})", extra={"payload": MARKER}
    )
    (record,) = records(json_log)
    assert record["message"] == "Unhandled request"
    assert "payload" not in record and MARKER not in json_log.getvalue()


def test_exceptions_have_frames_and_types_not_messages(json_log: io.StringIO) -> None:
    try:
        raise ValueError(f"Invalid isoformat string: '{MARKER}'")
    except ValueError:
        logging.getLogger("bot.answers.workers").exception(
            "background job failed", extra={"error_type": "ValueError"}
        )
    (record,) = records(json_log)
    assert record["error_type"] == "ValueError"
    assert "test_json_logs.py:" in str(record["exception"])
    assert str(record["exception"]).endswith("ValueError")
    assert MARKER not in json_log.getvalue()


def test_secrets_are_masked_in_messages_and_fields(json_log: io.StringIO) -> None:
    logging.getLogger("bot").info(
        "token %s", TOKEN, extra={"header": f"Bearer {TOKEN}", "secret": "signing-secret-abcdef"}
    )
    (record,) = records(json_log)
    assert TOKEN not in json_log.getvalue() and "signing-secret-abcdef" not in json_log.getvalue()
    assert record["header"] == "Bearer [redacted]" and record["secret"] == "[redacted]"


def test_a_megabyte_record_is_capped_and_stays_valid_json(json_log: io.StringIO) -> None:
    logging.getLogger("bot.slack.http").warning(
        "x" * 1_000_000 + "END",
        extra={"big": "y" * 100_000, "many": list(range(100_000)), "code": "kept"},
    )
    (record,) = records(json_log)  # at most MAX_RECORD_CHARS, and parseable
    assert str(record["message"]).endswith("END") and "chars cut" in str(record["message"])
    assert record["code"] == "kept"


def test_a_field_named_like_a_key_does_not_overwrite_it(json_log: io.StringIO) -> None:
    logging.getLogger("bot").info("hello", extra={"level": "mine", "time": "t"})
    (record,) = records(json_log)
    assert record["level"] == "INFO" and record["extra_level"] == "mine"


def test_the_text_format_keeps_the_context_too() -> None:
    stream = io.StringIO()
    handler = build_handler(stream)
    logger = logging.getLogger("bot.followup.send")
    logger.addHandler(handler)
    try:
        logger.warning(
            "check-in owner unreachable", extra={"checkin_id": 7, "code": "user_disabled"}
        )
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    assert line.endswith("check-in owner unreachable [checkin_id=7 code=user_disabled]")


def test_the_setting_chooses_the_format(capfd: pytest.CaptureFixture[str]) -> None:
    assert Settings(_env_file=None).log_format == "text"  # type: ignore[call-arg]
    settings = Settings(_env_file=None, log_format="json")  # type: ignore[call-arg]
    configure_logging("INFO", log_format=settings.log_format)
    try:
        logging.getLogger("bot").warning("configured", extra={"group_id": 5})
    finally:
        configure_logging("WARNING")
    (line,) = [line for line in capfd.readouterr().err.splitlines() if "configured" in line]
    assert json.loads(line)["group_id"] == 5
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None, log_format="xml")  # type: ignore[call-arg]
    assert "ADVISOR_LOG_FORMAT" in describe_settings_error(error.value)
