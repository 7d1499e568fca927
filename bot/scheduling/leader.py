"""One scheduler per job store: a leader lock held for as long as the scheduler runs.

* PostgreSQL: a session-level advisory lock on a dedicated connection
  (``pg_try_advisory_lock``), keyed by the schema the job store lives in; it is released
  when the connection closes, so a crashed leader never blocks the others for long.
  ``check()`` runs ``SELECT 1`` on that connection: a dropped connection means the lock is
  gone (the server released it), so leadership is lost and must be won again.
* SQLite: an exclusive ``flock`` on a file next to the database (SQLite is one machine's
  file, so a file lock covers every process that can open it). ``check()`` fails if the
  lock file was deleted or replaced (another process could lock the new one).

``bot.scheduling.scheduler`` calls ``check()`` while it leads and ``acquire()`` while it waits.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
SCHEDULER_LOCK_KEY = 0x61647673  # "advs"
# Two-key form: (app key, the job store's schema), so deployments in different schemas of
# one database (and parallel test runs) each get their own leader.
KEYS = ":k, hashtext(current_schema())"


class LeaderLock(Protocol):
    """Exclusive, non-blocking leadership."""

    def acquire(self) -> bool: ...

    def check(self) -> bool:
        """True while the lock is still held; False (and let go) once it was lost."""
        ...

    def release(self) -> None: ...


class PostgresAdvisoryLock:
    """Leadership through ``pg_try_advisory_lock`` on a connection kept open."""

    def __init__(self, engine: Engine, *, key: int = SCHEDULER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: Connection | None = None

    def acquire(self) -> bool:
        if self._connection is not None:
            return True
        connection = self._engine.connect()
        try:
            got = connection.execute(text(f"SELECT pg_try_advisory_lock({KEYS})"), {"k": self._key})
            held = bool(got.scalar())
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not held:
            connection.close()
            return False
        self._connection = connection
        return True

    def check(self) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
        except SQLAlchemyError as error:
            log.warning("leader lock connection lost (%s)", type(error).__name__)
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(text(f"SELECT pg_advisory_unlock({KEYS})"), {"k": self._key})
            self._connection.commit()
        except SQLAlchemyError as error:  # the connection is gone, and the lock with it
            log.warning("leader lock not released cleanly (%s)", type(error).__name__)
        finally:
            self._drop()

    def _drop(self) -> None:
        """Throw the lock connection away (never back to the pool: it may hold the lock)."""
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            connection.invalidate()
            connection.close()
        except SQLAlchemyError:
            log.debug("closing a broken lock connection failed", exc_info=True)


class FileLeaderLock:
    """Leadership through an exclusive ``flock`` on ``path``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def check(self) -> bool:
        if self._fd is None:
            return False
        try:
            same = os.path.samestat(os.fstat(self._fd), os.stat(self._path))
        except OSError:
            same = False
        if not same:  # deleted or replaced: another process may lock the new file
            log.warning("leader lock file was removed or replaced")
            self.release()
        return same

    def release(self) -> None:
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def leader_lock_for(engine: Engine) -> LeaderLock:
    """The right lock for ``engine``'s backend."""
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLock(engine)
    database = engine.url.database or "advisor.db"
    return FileLeaderLock(Path(f"{database}.scheduler.lock"))
