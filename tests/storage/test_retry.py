"""A briefly locked SQLite database: the work is retried and nothing is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from storage.engine import create_db_engine, make_session_factory
from storage.events import claim_event
from storage.migrate import upgrade_engine
from storage.retry import is_transient, retry_transient
from tests.storage.helpers import T0


def test_locked_database_is_retried_and_nothing_lost(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/busy.db"
    engine = create_db_engine(url, wait_ms=50)
    upgrade_engine(engine)
    factory = make_session_factory(engine)
    blocker = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        blocker.execute("COMMIT")  # ... and lets go while we back off

    def work() -> bool:
        with factory() as session:
            return claim_event(session, event_id="Ev1", now=T0, ttl=T0 - T0)

    assert retry_transient(work, sleep=sleep, base_delay=0.01) is True
    assert waits == [0.01]
    with factory() as session:
        assert not claim_event(session, event_id="Ev1", now=T0, ttl=T0 - T0)
    blocker.close()
    engine.dispose()


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        raise OperationalError("SELECT 1", {}, Exception("no such table: x"))

    with pytest.raises(OperationalError):
        retry_transient(work, sleep=lambda _s: None)
    assert calls == [1]
    assert not is_transient(ValueError("database is locked"))


def test_retries_give_up_after_the_last_attempt() -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))

    with pytest.raises(OperationalError):
        retry_transient(work, attempts=3, sleep=lambda _s: None)
    assert len(calls) == 3
