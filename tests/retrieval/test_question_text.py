"""Question hygiene: every surface asks through ``clean_question``."""

from __future__ import annotations

import pytest

from retrieval.errors import QuestionError
from retrieval.question_text import clean_question


def test_control_characters_and_terminal_escapes_are_removed() -> None:
    raw = "who\x00 approves\x07 a \x1b[31mhold\x1b[0m\u200b on\tfootage?\x1b]0;title\x07"
    assert clean_question(raw, limit=100) == "who approves a hold on footage?"


@pytest.mark.parametrize("raw", ["\x1b[2J\x1b[H", "\x00\x00", " \u200b\u200d ", "\x1b]8;;x\x07"])
def test_what_is_left_empty_counts_as_empty(raw: str) -> None:
    with pytest.raises(QuestionError, match="the question is empty"):
        clean_question(raw, limit=100)


def test_bytes_that_are_not_utf8_are_refused_clearly() -> None:
    with pytest.raises(QuestionError, match="not readable text"):
        clean_question(b"retention \xff\xfe policy", limit=100)
    # What Python makes of undecodable command-line bytes (surrogateescape):
    with pytest.raises(QuestionError, match="not readable text"):
        clean_question(b"retention \xff".decode("utf-8", "surrogateescape"), limit=100)
    assert clean_question("Zürich’s café policy".encode(), limit=100) == "Zürich’s café policy"


def test_the_limit_counts_cleaned_characters() -> None:
    assert clean_question("a" * 10 + "\x00" * 50, limit=10) == "a" * 10
    with pytest.raises(QuestionError, match="11 characters; keep it under 10"):
        clean_question("a" * 11, limit=10)
