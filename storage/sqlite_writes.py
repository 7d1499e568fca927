"""One writer at a time, in order, among one process's SQLite connections.

SQLite lets one connection write at a time; the others wait in its busy handler, which
polls with growing sleeps and favours no one. Under a burst (hundreds of mentions, each
claiming its event and logging its question) an unlucky writer can keep losing the race
until its busy timeout runs out, though the lock was free most of the time.

So writers of one process queue here first: a connection takes the engine's write lock
before its transaction's first INSERT, UPDATE or DELETE and gives it back when the
transaction ends (commit, rollback, or the pool resetting it). Waiting for the lock is
bounded by the same busy timeout, and running out of it raises the same "database is
locked" ``OperationalError`` as SQLite would, so callers and ``storage.retry`` see no
difference. Other processes on the same file are still arbitrated by SQLite itself.
Readers never queue: WAL lets them read beside the writer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

_HOLDS = "advisor_holds_write_lock"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class FifoLock:
    """A lock handed to its waiters in the order they asked; waits are bounded."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()

    @property
    def waiting(self) -> int:
        """How many threads are queued for the lock."""
        with self._mutex:
            return len(self._waiters)

    def acquire(self, timeout: float) -> bool:
        """Take the lock within ``timeout`` seconds; False if it did not come."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=max(timeout, 0)):
            return True
        with self._mutex:
            try:
                self._waiters.remove(turn)
            except ValueError:  # handed over just as the wait ran out: it is ours
                return True
            return False

    def release(self) -> None:
        """Hand the lock to the longest waiter, or free it."""
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # still held: by the next in line
            else:
                self._held = False


def serialize_writes(engine: Engine, *, wait_seconds: float) -> FifoLock:
    """Queue ``engine``'s writers on one lock (see the module doc); returns the lock."""
    lock = FifoLock()

    def release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS, False):
            lock.release()

    @event.listens_for(engine, "before_cursor_execute")
    def _take(
        conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool
    ) -> None:
        if conn.info.get(_HOLDS) or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        if not lock.acquire(timeout=wait_seconds):
            raise OperationalError(
                statement, params, sqlite3.OperationalError("database is locked"), False
            )
        conn.info[_HOLDS] = True

    @event.listens_for(engine, "commit")
    def _committed(conn: Any) -> None:
        release(conn.info)

    @event.listens_for(engine, "rollback")
    def _rolled_back(conn: Any) -> None:
        release(conn.info)

    @event.listens_for(engine, "reset")
    def _reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        release(record.info)

    @event.listens_for(engine, "close")
    def _closed(_dbapi_connection: Any, record: Any) -> None:
        release(record.info)

    return lock
