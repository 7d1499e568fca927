"""Process logging that keeps secrets, request bodies, questions and answers out of the log.

What reaches the one stderr handler, at any level:

* **Library messages are cut to their head.** slack_bolt and slack_sdk write request bodies
  into their messages ("Invalid request signature detected (… body: …)", "Unhandled
  request ({…})", "Failed to run listener function (error: <message quoting the input>)"),
  SQLAlchemy writes result rows at DEBUG. A record from ``BODY_LOGGERS`` keeps only the
  words before the first bracket, quote, colon or equals sign, plus the error's type when
  it carries one.
* **Exceptions are printed without their messages**: the frames (file, line, function) and
  the exception types of the chain, never ``str(exc)``, which may quote a question.
* **Loggers that print data at DEBUG are clamped**: slack_sdk, slack_bolt, urllib3 and
  friends never go below INFO, SQLAlchemy (which logs result rows at DEBUG) never below
  WARNING, whatever ``ADVISOR_LOG_LEVEL`` says.
* **Every record is capped** at ``MAX_RECORD_CHARS`` (head and tail kept), so no request can
  write a megabyte-long line.
* Anything shaped like a Slack token, and every registered secret, is masked.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType
from typing import TypeAlias

_TOKEN = re.compile(r"xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
# Never below INFO: they log request and response bodies at DEBUG.
CHATTY_LOGGERS = (
    "slack_sdk",
    "slack_bolt",
    "urllib3",
    "httpx",
    "httpcore",
    "websockets",
    "apscheduler.scheduler",
    "multipart",
    "asyncio",
)
# Never below WARNING: SQLAlchemy logs statements at INFO and result rows at DEBUG.
DATA_LOGGERS = ("sqlalchemy", "psycopg")
# Loggers whose messages may embed request bodies, payload fields, result rows or URLs with
# secrets in them: only the head of each message is kept, whatever their level.
BODY_LOGGERS = (
    "slack_bolt",
    "slack_sdk",
    "slack",
    "sqlalchemy",
    "psycopg",
    "urllib3",
    "httpx",
    "httpcore",
    "websockets",
)
MAX_RECORD_CHARS = 2000
_HEAD_END = re.compile(r"""[(\[{:="'`<]""")
_HEAD_CHARS = 120

ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType | None]


def message_head(message: str) -> str:
    """The words of ``message`` before anything that may quote data (brackets, quotes, ``:``)."""
    first_line = message.split("\n", 1)[0]
    match = _HEAD_END.search(first_line)
    head = (first_line[: match.start()] if match else first_line).strip()
    head = head[:_HEAD_CHARS].rstrip()
    return head or "(message withheld)"


def cap(text: str, limit: int = MAX_RECORD_CHARS) -> str:
    """``text`` at most ``limit`` characters: its head and tail around a marker."""
    if len(text) <= limit:
        return text
    marker = f" …[{len(text) - limit} chars cut]… "
    keep = max(0, limit - len(marker))
    head = keep * 2 // 3
    return text[:head] + marker + text[len(text) - (keep - head) :]


def _from(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


class WithholdLibraryBodies(logging.Filter):
    """Reduce records of ``BODY_LOGGERS`` to the head of their message (see the module doc)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _from(record.name, BODY_LOGGERS):
            return True
        head = message_head(record.getMessage())
        if record.exc_info and record.exc_info[0] is not None:
            head = f"{head} ({record.exc_info[0].__name__})"
        record.msg, record.args = head, None
        return True


class RedactSecrets(logging.Filter):
    """Mask Slack tokens and any registered secret value in every record."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _TOKEN.sub("[redacted]", message)
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, "[redacted]")
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _short_path(filename: str) -> str:
    parts = filename.replace("\\", "/").split("/")
    return "/".join(parts[-3:])


def describe_exception(exc_info: ExcInfo) -> str:
    """A traceback with frames and exception types only: no exception messages, no locals."""
    lines: list[str] = []
    seen: set[int] = set()
    exc: BaseException | None = exc_info[1]
    chain: list[BaseException] = []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    for index, error in enumerate(reversed(chain)):
        if index:
            lines.append("then, while handling it:")
        lines.append("Traceback (most recent call last; messages withheld):")
        for frame in traceback.extract_tb(error.__traceback__):
            lines.append(f"  {_short_path(frame.filename)}:{frame.lineno} in {frame.name}")
        kind = type(error)
        module = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
        lines.append(f"{module}{kind.__qualname__}")
    return "\n".join(lines)


class SafeFormatter(logging.Formatter):
    """Formats with exception types and frames only, and caps every record."""

    def formatException(self, ei: object) -> str:  # logging calls it by this name
        return describe_exception(ei)  # type: ignore[arg-type]

    def format(self, record: logging.LogRecord) -> str:
        cached = record.exc_text
        record.exc_text = None  # never reuse text another handler rendered with messages
        try:
            text = super().format(record)
        finally:
            record.exc_text = cached
        return cap(text)


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def build_handler(stream: object = None, *, secrets: list[str] | None = None) -> logging.Handler:
    """The advisor's log handler: safe formatting, library bodies withheld, secrets masked."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)  # type: ignore[arg-type]
    handler._advisor = True  # type: ignore[attr-defined]
    handler.setFormatter(SafeFormatter(FORMAT))
    handler.addFilter(WithholdLibraryBodies())
    handler.addFilter(RedactSecrets(secrets))
    return handler


def configure_logging(level: str = "INFO", *, secrets: list[str] | None = None) -> None:
    """Set up one stderr handler (see the module doc); clamp libraries that log data."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_advisor", False):
            root.removeHandler(handler)
    root.addHandler(build_handler(secrets=secrets))
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric if isinstance(numeric, int) else logging.INFO)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(root.level, logging.INFO))
    for name in DATA_LOGGERS:
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
