"""Question hygiene, in one place for every surface (Slack, CLI, eval).

A question is text a person typed, or pasted from a terminal or a PDF. Before it is searched,
logged or shown, NUL and other control characters, terminal escape sequences and invisible
format characters are removed and whitespace is folded. Bytes that are not UTF-8 (or text
carrying the surrogates Python uses for undecodable command-line bytes) are refused with a
clear message; what is left empty counts as empty.
"""

from __future__ import annotations

import re
import unicodedata

from retrieval.errors import QuestionError

# CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-character escapes.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]"
)
EMPTY = "the question is empty; ask something like “How do we run a PIA?”"
NOT_TEXT = (
    "the question is not readable text (it has bytes that are not UTF-8); "
    "retype it or paste it as plain text"
)


def clean_question(question: str | bytes, *, limit: int) -> str:
    """The question as plain, whitespace-folded text; ``QuestionError`` if it is not text,
    is empty once cleaned, or is longer than ``limit`` characters."""
    if isinstance(question, bytes | bytearray):
        try:
            question = bytes(question).decode("utf-8")
        except UnicodeDecodeError:
            raise QuestionError(NOT_TEXT) from None
    if any("\ud800" <= ch <= "\udfff" for ch in question):
        raise QuestionError(NOT_TEXT)
    text = _ANSI.sub(" ", question)
    text = "".join(" " if _invisible(ch) else ch for ch in text)
    text = " ".join(text.split())
    if not text:
        raise QuestionError(EMPTY)
    if len(text) > limit:
        raise QuestionError(
            f"the question is {len(text):,} characters; keep it under {limit:,} "
            "(ask about one thing at a time)"
        )
    return text


def _invisible(ch: str) -> bool:
    """Control characters (NUL, escapes, DEL, C1) and format characters (zero-width…)."""
    return unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r"
