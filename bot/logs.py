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

**Context is kept.** Fields passed with ``extra=`` (ids, Slack error codes, counts: never
text a person wrote) follow the message, as ``key=value`` in the text format, or as
top-level keys of the one JSON object per line of ``ADVISOR_LOG_FORMAT=json``
(``JsonFormatter``). A library record's extra fields are dropped with its message's tail;
extra values are masked like messages, and a JSON line is capped like a text one (long
values are cut, the line stays valid JSON).
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, TypeAlias

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
LogFormat: TypeAlias = Literal["text", "json"]

# Attributes every LogRecord has (``message`` and ``asctime`` once formatted, ``taskName``
# from Python 3.12); anything else on a record came from ``extra=``. uvicorn's
# ``color_message`` repeats its message with terminal colours.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
_EXTRA_VALUE_CHARS = 200


def record_extras(record: logging.LogRecord) -> dict[str, Any]:
    """The fields ``extra=`` put on ``record``."""
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _RECORD_ATTRIBUTES and not key.startswith("_")
    }


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
        for key in record_extras(record):  # a library's fields may hold payload values
            delattr(record, key)
        return True


class RedactSecrets(logging.Filter):
    """Mask Slack tokens and any registered secret value in every record."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for key, value in record_extras(record).items():
            setattr(record, key, self._clean_value(value))
        return True

    def clean(self, text: str) -> str:
        cleaned = _TOKEN.sub("[redacted]", text)
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, "[redacted]")
        return cleaned

    def _clean_value(self, value: object) -> object:
        if isinstance(value, str):
            return self.clean(value)
        if isinstance(value, list | tuple):
            return [self._clean_value(item) for item in value]
        return value


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
        extras = record_extras(record)
        if extras:
            first, newline, rest = text.partition("\n")
            context = " ".join(f"{key}={_text_value(value)}" for key, value in extras.items())
            text = f"{first} [{context}]{newline}{rest}"
        return cap(text)


def _text_value(value: object) -> str:
    """A string as is (quoted if it has spaces, brackets, ``=`` or quotes), else JSON."""
    if not isinstance(value, str):
        data = json.dumps(_jsonable(value), ensure_ascii=False, separators=(",", ":"))
        return cap(data, _EXTRA_VALUE_CHARS)
    text = cap(value, _EXTRA_VALUE_CHARS)
    plain = text and not re.search(r"[\s\[\]=\"]", text)
    return text if plain else json.dumps(text, ensure_ascii=False)


def _jsonable(value: object) -> Any:
    """``value`` as plain JSON data (anything else becomes its ``str``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)


class JsonFormatter(SafeFormatter):
    """One JSON object per record: ``time`` (UTC), ``level``, ``logger``, ``message``, the
    ``extra=`` fields as top-level keys (``extra_<key>`` if a name is taken) and, for an
    error, ``exception`` (frames and types only). The line is at most ``MAX_RECORD_CHARS``.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record_extras(record).items():
            entry[f"extra_{key}" if key in entry else key] = _jsonable(value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = describe_exception(record.exc_info)  # type: ignore[arg-type]
        if record.stack_info:
            entry["stack"] = record.stack_info
        return fit_json(entry)


def fit_json(entry: dict[str, Any], limit: int = MAX_RECORD_CHARS) -> str:
    """``entry`` as one line of JSON of at most ``limit`` characters: long string values
    are cut (head and tail kept) until it fits; past that only the first four keys stay."""
    line = json.dumps(entry, ensure_ascii=False)
    value_limit = limit
    while len(line) > limit and value_limit > 40:
        value_limit //= 2
        entry = {key: _cut(value, value_limit) for key, value in entry.items()}
        line = json.dumps(entry, ensure_ascii=False)
    if len(line) > limit:  # too many fields: keep what says what happened
        head = {key: _cut(value, limit // 8) for key, value in list(entry.items())[:4]}
        line = json.dumps({**head, "cut": True}, ensure_ascii=False)
    return line


def _cut(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return cap(value, limit)
    if isinstance(value, list):
        kept = [_cut(item, limit) for item in value[:limit]]
        return kept if len(value) <= limit else [*kept, f"…[{len(value) - limit} more]"]
    if isinstance(value, dict):
        return {key: _cut(item, limit) for key, item in list(value.items())[:limit]}
    return value


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def build_handler(
    stream: object = None, *, secrets: list[str] | None = None, log_format: LogFormat = "text"
) -> logging.Handler:
    """The advisor's log handler: safe formatting (text, or one JSON object per line),
    library bodies withheld, secrets masked."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)  # type: ignore[arg-type]
    handler._advisor = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if log_format == "json" else SafeFormatter(FORMAT))
    handler.addFilter(WithholdLibraryBodies())
    handler.addFilter(RedactSecrets(secrets))
    return handler


def configure_logging(
    level: str = "INFO", *, secrets: list[str] | None = None, log_format: LogFormat = "text"
) -> None:
    """Set up one stderr handler (see the module doc); clamp libraries that log data."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_advisor", False):
            root.removeHandler(handler)
    root.addHandler(build_handler(secrets=secrets, log_format=log_format))
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric if isinstance(numeric, int) else logging.INFO)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(root.level, logging.INFO))
    for name in DATA_LOGGERS:
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
