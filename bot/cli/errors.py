"""The CLI's one error handler: every failure ends in one line on stderr and an exit code.

``RootGroup`` is the root command's class; whatever a command raises (other than Click's
own exits) is turned by ``describe_failure`` into ``error: <what went wrong and the fix>``
and an exit code:

* **2, bad input**: a bad setting (named by its variable), a bad question, a broken
  playbook, a path that does not exist or is not the kind of file expected, a file that is
  not UTF-8 text or not valid YAML, a database URL that is not one;
* **1, otherwise**: a database that cannot be reached or was never migrated (the line says
  "run `advisor db upgrade`"), an unusable index, anything unexpected.

``advisor --traceback <command>`` re-raises instead, for a bug report.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from bot.cli import help_types
from bot.settings import Settings, describe_settings_error
from retrieval.errors import CorpusError, QuestionError, RetrievalError

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

BAD_INPUT = 2
FAILED = 1
TRACEBACK_KEY = "advisor.traceback"
UPGRADE_HINT = "run `advisor db upgrade`"
_MISSING_TABLE = ("no such table", "no such column", "undefinedtable", "undefinedcolumn")
_PATH_ERRNOS = {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST}
_MAX_DETAIL = 200


class LazyConsole:
    """A rich ``Console`` made on first use, so a command that prints no rich text (``ask
    --json``) never imports rich (issue 15, item 4)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


err = LazyConsole(stderr=True)


class CliFailure(Exception):
    """A failure a command has already put into words, with its exit code."""

    def __init__(self, message: str, *, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


def _first_line(text: str) -> str:
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    return line[:_MAX_DETAIL]


def safe_url(url: str) -> str:
    """``url`` without its password (or a placeholder if it cannot be parsed)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unparseable URL)"


def _database_url() -> str:
    try:
        return safe_url(Settings().resolved_database_url)
    except ValidationError:
        return "ADVISOR_DATABASE_URL"


def _setting_for(path: str) -> str:
    """The setting that names ``path``, as a hint (empty if none does)."""
    try:
        settings = Settings()
    except ValidationError:
        return ""
    candidates = {
        "ADVISOR_INDEX_DIR": settings.resolved_index_dir,
        "ADVISOR_PLAYBOOKS_DIR": settings.playbooks_dir,
        "ADVISOR_DATA_DIR": settings.data_dir,
    }
    target = Path(path).absolute()
    for name, value in candidates.items():
        where = Path(value).absolute()
        if target == where or where in target.parents:
            return name
    return ""


def _file_in_traceback(exc: BaseException) -> str:
    """The path a ``pathlib`` read was working on when ``exc`` was raised, if any."""
    tb = exc.__traceback__
    found = ""
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("self")
        if isinstance(candidate, PurePath):
            found = str(candidate)
        tb = tb.tb_next
    return found


def _database_failure(exc: DBAPIError) -> tuple[int, str]:
    orig = exc.orig if exc.orig is not None else exc
    detail = _first_line(str(orig))
    kind = f"{type(orig).__name__} {detail}".lower()
    url = _database_url()
    if any(marker in kind for marker in _MISSING_TABLE):
        return FAILED, f"the database at {url} is not set up for this advisor: {UPGRADE_HINT}"
    if "file is not a database" in kind:
        return BAD_INPUT, f"{url} is not an SQLite database (check ADVISOR_DATABASE_URL)"
    if "unable to open database file" in kind:
        return FAILED, f"cannot open the SQLite database {url} (check ADVISOR_DATABASE_URL)"
    if exc.connection_invalidated or "connection" in kind or "could not" in kind:
        return FAILED, f"cannot reach the database at {url}: {detail} (check ADVISOR_DATABASE_URL)"
    return FAILED, f"database error at {url}: {type(orig).__name__}: {detail}"


def describe_failure(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one line for ``exc`` (see the module doc)."""
    if isinstance(exc, CliFailure):
        return exc.code, str(exc)
    if isinstance(exc, ValidationError):
        return BAD_INPUT, describe_settings_error(exc)
    if isinstance(exc, QuestionError | CorpusError):
        return BAD_INPUT, str(exc)
    if isinstance(exc, RetrievalError):
        return FAILED, str(exc)
    database = _sqlalchemy_failure(exc)
    if database is not None:
        return database
    if isinstance(exc, UnicodeDecodeError):
        where = _file_in_traceback(exc) or "a file"
        return (
            BAD_INPUT,
            f"{where} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at {exc.start})",
        )
    yaml = sys.modules.get("yaml")  # imported by what parses YAML: if not, no YAML error
    if yaml is not None and isinstance(exc, yaml.YAMLError):
        where = _file_in_traceback(exc) or "a file"
        return BAD_INPUT, f"{where} is not valid YAML: {_first_line(str(exc))}"
    if isinstance(exc, OSError):
        return _os_failure(exc)
    return FAILED, (
        f"unexpected {type(exc).__name__}: {_first_line(str(exc))} "
        "(run again with `advisor --traceback …` to see where)"
    )


def _sqlalchemy_failure(exc: BaseException) -> tuple[int, str] | None:
    """The line for a database error, or None. SQLAlchemy is imported only by the commands
    that use a database: if it was never imported, ``exc`` cannot be one of its errors."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import (
        ArgumentError,
        DBAPIError,
        NoSuchModuleError,
        SQLAlchemyError,
    )
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, NoSuchModuleError | ArgumentError):
        return BAD_INPUT, (
            "ADVISOR_DATABASE_URL is not a database URL this advisor can use "
            "(e.g. sqlite:///.advisor/advisor.db or postgresql+psycopg://user@host/db)"
        )
    if isinstance(exc, DBAPIError):
        return _database_failure(exc)
    if isinstance(exc, PoolTimeout):
        return FAILED, f"the database at {_database_url()} did not answer in time"
    if isinstance(exc, SQLAlchemyError):
        return FAILED, f"database error: {type(exc).__name__}: {_first_line(str(exc))}"
    return None


def _os_failure(exc: OSError) -> tuple[int, str]:
    reason = exc.strerror or _first_line(str(exc)) or type(exc).__name__
    if isinstance(exc, FileExistsError):  # mkdir over a file: a folder was expected there
        reason = "exists and is not a folder"
    if not exc.filename:
        return FAILED, reason
    path = str(exc.filename)
    setting = _setting_for(path)
    hint = f" (check {setting})" if setting else ""
    code = BAD_INPUT if exc.errno in _PATH_ERRNOS else FAILED
    return code, f"{path}: {reason}{hint}"


def report(exc: BaseException) -> int:
    """Print the one line for ``exc``; its exit code."""
    code, message = describe_failure(exc)
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return code


class RootGroup(TyperGroup):
    """The ``advisor`` command group: runs the command, and handles whatever it raises.

    It also makes ``--help`` name value types as Click does (``bot.cli.help_types``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        help_types.install()
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # Typer's own exits and usage
            raise
        except Exception as exc:
            if ctx.meta.get(TRACEBACK_KEY):
                raise
            raise typer.Exit(report(exc)) from None
