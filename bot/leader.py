"""One scheduler per database: a leader lock held for as long as the scheduler runs.

* PostgreSQL: a session-level advisory lock on a dedicated connection
  (``pg_try_advisory_lock``); it is released when the connection closes, so a crashed
  leader never blocks the others for long.
* SQLite: an exclusive ``flock`` on a file next to the database (SQLite is one machine's
  file, so a file lock covers every process that can open it).
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)
SCHEDULER_LOCK_KEY = 0x61647673  # "advs"


class LeaderLock(Protocol):
    """Exclusive, non-blocking leadership."""

    def acquire(self) -> bool: ...

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
        got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key})
        if got.scalar():
            connection.commit()
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            self._connection.commit()
        finally:
            self._connection.close()
            self._connection = None


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
