"""Retrying work that failed because the database was briefly busy or unreachable.

Background jobs wrap each unit of database work in ``retry_transient``; a locked SQLite
file, a dropped PostgreSQL connection, a serialization failure or a PostgreSQL lock or
statement timeout (``storage.engine``'s bounded waits) gets a logged retry with backoff.
Anything else is raised at once. ``sleep`` is injected so tests never wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

T = TypeVar("T")
log = logging.getLogger(__name__)

_TRANSIENT_MARKERS = (
    "database is locked",
    "database table is locked",
    "sqlite_busy",
    "could not serialize access",
    "deadlock detected",
    "server closed the connection",
    "connection refused",
    "terminating connection",
    "canceling statement due to lock timeout",
    "canceling statement due to statement timeout",
)


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` is a database error worth retrying."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError | DBAPIError):
        return False
    text = str(error.orig if error.orig is not None else error).lower()
    return any(marker in text for marker in _TRANSIENT_MARKERS)


def retry_transient(
    work: Callable[[], T],
    *,
    attempts: int = 5,
    base_delay: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    what: str = "database work",
) -> T:
    """Run ``work()``; on a transient database error, wait and run it again.

    ``work`` must be safe to repeat: open its own session and commit at its end.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as error:
            if attempt == attempts or not is_transient(error):
                raise
            delay = base_delay * 2 ** (attempt - 1)
            log.warning(
                "%s failed (%s); retry %d in %.1fs", what, type(error.orig).__name__, attempt, delay
            )
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def retry_in_session(
    sessions: Callable[[], Session],
    work: Callable[[Session], T],
    *,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``retry_transient`` of ``work(session)``, each attempt in a fresh ``with sessions()``."""

    def attempt() -> T:
        with sessions() as session:
            return work(session)

    return retry_transient(attempt, what=what, sleep=sleep)
