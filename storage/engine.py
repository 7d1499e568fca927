"""Engines and sessions for SQLite (default) and PostgreSQL (production).

SQLite gets WAL (with ``synchronous=NORMAL``), enforced foreign keys and a busy timeout on
every connection, its writers queue in order within the process (``storage.sqlite_writes``),
and its parent directory is created. PostgreSQL URLs are normalised to the psycopg 3 driver and
use ``pool_pre_ping`` so a connection dropped by the server is replaced, not failed on;
connecting gives up after ``CONNECT_TIMEOUT_SECONDS``.
Both hide bound parameters in error messages: a failed insert must not carry question
text, feedback or commitment titles into the process log (bolt logs listener errors).

``wait_ms`` bounds every wait of the engine's callers: the SQLite busy timeout, the wait for
a pooled connection and, on PostgreSQL, ``lock_timeout`` and ``statement_timeout`` set on
each connection (a locked table makes a call fail after ``wait_ms`` instead of hanging;
``storage.retry`` counts that as transient). ``wait_ms=None`` (the default) leaves
PostgreSQL statements unbounded, for migrations and admin commands that may run long.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from storage.sqlite_writes import serialize_writes

DEFAULT_BUSY_TIMEOUT_MS = 5000
# SQLite connections are cheap file handles, and writers queue in storage.sqlite_writes,
# not in the pool: room for every thread the server runs (HTTP, dispatch, answers, jobs).
SQLITE_POOL_SIZE = 5
SQLITE_POOL_OVERFLOW = 59
CONNECT_TIMEOUT_SECONDS = 10

SessionFactory = Callable[[], Session]


def normalise_url(url: str) -> URL:
    """Parse ``url``, rewriting ``postgresql://`` and ``postgres://`` to psycopg 3."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: str | URL) -> bool:
    """Whether ``url`` points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(url: str, *, wait_ms: int | None = None) -> Engine:
    """Build the engine for ``url`` (SQLite or PostgreSQL) with this project's defaults.

    ``wait_ms`` bounds waits (see the module doc); SQLite's busy timeout is
    ``DEFAULT_BUSY_TIMEOUT_MS`` without it.
    """
    parsed = normalise_url(url)
    if is_sqlite(parsed):
        busy = wait_ms if wait_ms is not None else DEFAULT_BUSY_TIMEOUT_MS
        return _sqlite_engine(parsed, busy_timeout_ms=busy)
    return _postgres_engine(parsed, wait_ms=wait_ms)


def _postgres_engine(url: URL, *, wait_ms: int | None) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    options: dict[str, Any] = {}
    if wait_ms is not None:
        options["pool_timeout"] = max(wait_ms / 1000, 0.1)
    engine = create_engine(
        url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args, **options
    )
    if wait_ms is not None:
        bound = int(wait_ms)

        @event.listens_for(engine, "connect")
        def _bound_waits(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {bound}")
                cursor.execute(f"SET statement_timeout = {bound}")
            dbapi_connection.commit()  # a SET inside the open transaction would be rolled back

    return engine


def _sqlite_engine(url: URL, *, busy_timeout_ms: int) -> Engine:
    database = url.database
    pool: dict[str, Any] = {}
    if database and database != ":memory:":  # in memory: one connection per thread instead
        pool = {
            "pool_size": SQLITE_POOL_SIZE,
            "max_overflow": SQLITE_POOL_OVERFLOW,
            "pool_timeout": max(busy_timeout_ms / 1000, 0.1),
        }
        if not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": busy_timeout_ms / 1000}, hide_parameters=True, **pool
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL's recommended durability: commits append to the log without an fsync each
            # (a power cut may lose the last commits, never consistency), so a burst of
            # writers holds the write lock for microseconds instead of an fsync apiece.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cursor.close()

    serialize_writes(engine, wait_seconds=busy_timeout_ms / 1000)
    return engine


def make_session_factory(engine: Engine) -> SessionFactory:
    """A zero-argument callable returning a new ``Session`` bound to ``engine``.

    ``expire_on_commit=False`` so rows returned by repository functions stay readable
    after the function commits.
    """

    def factory() -> Session:
        return Session(engine, expire_on_commit=False)

    return factory
