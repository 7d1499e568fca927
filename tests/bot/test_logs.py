"""The process log's handler: library bodies withheld, exception messages withheld, records
capped, data-logging libraries clamped (issue 11, item 1)."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import (
    MAX_RECORD_CHARS,
    cap,
    configure_logging,
    describe_exception,
    message_head,
)

MARKER = "QUESTION-MARKER-7f3a"


@pytest.fixture
def captured(debug_log: io.StringIO) -> io.StringIO:
    return debug_log


def test_bolt_signature_failure_keeps_only_the_head(captured: io.StringIO) -> None:
    body = '{"event": {"text": "' + MARKER + '"}}'
    logging.getLogger("slack_bolt.middleware.request_verification").info(
        f"Invalid request signature detected (signature: v0=00, timestamp: 1, body: {body})"
    )
    text = captured.getvalue()
    assert "Invalid request signature detected" in text
    assert MARKER not in text


def test_library_messages_lose_everything_after_a_quote_colon_or_bracket(
    captured: io.StringIO,
) -> None:
    sdk = logging.getLogger("slack_sdk.web.base_client")
    sdk.debug(f"Sending a request - url: x, body_params: {{'text': '{MARKER}'}}")
    sdk.warning(f"Unhandled request ({{'value': '{MARKER}'}})")
    sdk.error(f'Received "{MARKER}"')
    text = captured.getvalue()
    assert MARKER not in text
    assert "Sending a request - url" in text and "Unhandled request" in text


def test_sqlalchemy_result_rows_are_withheld(captured: io.StringIO) -> None:
    logging.getLogger("sqlalchemy.engine.Engine").debug("Row (1, %r, False)", MARKER)
    text = captured.getvalue()
    assert "Row" in text and MARKER not in text


def test_listener_errors_show_the_type_and_frames_not_the_message(captured: io.StringIO) -> None:
    try:
        raise ValueError(f"Invalid isoformat string: '{MARKER}'")
    except ValueError:
        logging.getLogger("slack_bolt.App").exception(
            f"Failed to run listener function (error: Invalid isoformat string: '{MARKER}')"
        )
        logging.getLogger("bot.answers.workers").exception("background job failed")
    text = captured.getvalue()
    assert MARKER not in text
    assert "Failed to run listener function (ValueError)" in text
    assert "background job failed" in text
    assert "test_logs.py:" in text  # the frames are still there to debug with
    assert text.count("ValueError") >= 2


def test_a_chained_exception_lists_both_types_without_messages() -> None:
    try:
        try:
            raise KeyError(MARKER)
        except KeyError as inner:
            raise RuntimeError(MARKER) from inner
    except RuntimeError as outer:
        text = describe_exception((RuntimeError, outer, outer.__traceback__))
    assert MARKER not in text
    assert text.index("KeyError") < text.index("RuntimeError")


def test_a_megabyte_message_is_capped(captured: io.StringIO) -> None:
    logging.getLogger("bot.slack.http").warning("x" * 1_000_000 + "END")
    lines = captured.getvalue().splitlines()
    assert len(lines) == 1
    assert len(lines[0]) <= MAX_RECORD_CHARS
    assert lines[0].endswith("END") and "chars cut" in lines[0]


def test_cap_and_head_helpers() -> None:
    assert cap("short") == "short"
    assert len(cap("y" * 10_000, 100)) == 100
    assert message_head(f"Unhandled request ({MARKER})") == "Unhandled request"
    assert message_head(f"{{'text': '{MARKER}'}}") == "(message withheld)"
    assert message_head("plain words only") == "plain words only"


def test_secrets_are_still_masked(captured: io.StringIO) -> None:
    logging.getLogger("bot").info("token xoxb-123-456-abcdef in a message")
    assert "xoxb-123" not in captured.getvalue()


def test_data_logging_libraries_are_clamped_even_at_debug() -> None:
    configure_logging("DEBUG")
    try:
        assert logging.getLogger("sqlalchemy.engine.Engine").getEffectiveLevel() >= logging.WARNING
        assert logging.getLogger("slack_bolt.App").getEffectiveLevel() >= logging.INFO
        assert logging.getLogger("slack_sdk").getEffectiveLevel() >= logging.INFO
        assert logging.getLogger("bot").getEffectiveLevel() == logging.DEBUG
    finally:
        configure_logging("WARNING")
