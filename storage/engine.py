"""Engines and sessions for SQLite (default) and PostgreSQL (production).

SQLite gets WAL, enforced foreign keys and a busy timeout on every connection, and its
parent directory is created. PostgreSQL URLs are normalised to the psycopg 3 driver and
use ``pool_pre_ping`` so a connection dropped by the server is replaced, not failed on.
Both hide bound parameters in error messages: a failed insert must not carry question
text, feedback or commitment titles into the process log (bolt logs listener errors).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

DEFAULT_BUSY_TIMEOUT_MS = 5000

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


def create_db_engine(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """Build the engine for ``url`` (SQLite or PostgreSQL) with this project's defaults."""
    parsed = normalise_url(url)
    if is_sqlite(parsed):
        return _sqlite_engine(parsed, busy_timeout_ms=busy_timeout_ms)
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: URL, *, busy_timeout_ms: int) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": busy_timeout_ms / 1000}, hide_parameters=True
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cursor.close()

    return engine


def make_session_factory(engine: Engine) -> SessionFactory:
    """A zero-argument callable returning a new ``Session`` bound to ``engine``.

    ``expire_on_commit=False`` so rows returned by repository functions stay readable
    after the function commits.
    """

    def factory() -> Session:
        return Session(engine, expire_on_commit=False)

    return factory
