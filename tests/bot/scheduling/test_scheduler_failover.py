"""Scheduler failover: a waiting process takes over from a leader that stops or loses its lock.

Real APScheduler, real databases (SQLite file lock, PostgreSQL advisory lock), the loopback
fake Slack API. The check-in due in the hand-over is sent exactly once, by the new leader.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.followup import jobs as checkin_jobs
from bot.scheduling.leader import (
    SCHEDULER_LOCK_KEY,
    FileLeaderLock,
    PostgresAdvisoryLock,
    leader_lock_for,
)
from bot.scheduling.scheduler import CheckinScheduler
from bot.scheduling.specs import checkin_job_id
from storage.engine import SessionFactory
from tests.bot.followup.runtime import make_runtime
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlackAPI
from tests.storage.helpers import EVERY_DAY, make_commitment, make_group

OWNERS = ["UOWNA", "UOWNB"]
FAST = 0.2  # the leader-check interval of these tests
TAKEOVER = 5.0  # generous bound for "within the retry interval" on a loaded machine

MakeScheduler = Callable[..., CheckinScheduler]


@pytest.fixture
def make_scheduler(
    db_url: str, engine: Engine, session_factory: SessionFactory
) -> Iterator[MakeScheduler]:
    made: list[CheckinScheduler] = []

    def make(*, check_seconds: float = FAST) -> CheckinScheduler:
        scheduler = CheckinScheduler(
            database_url=db_url,
            sessions=session_factory,
            misfire_grace_seconds=6 * 3600,
            lock=leader_lock_for(engine),
            leader_check_seconds=check_seconds,
        )
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.shutdown()


@pytest.fixture
def due_after_handover(
    session_factory: SessionFactory, slack_api: FakeSlackAPI
) -> Iterator[tuple[FakeClock, int]]:
    """An hourly group; the clock says nothing is due until the test moves it to now."""
    # Real APScheduler threads run at the wall clock: an hourly schedule on every day of
    # the week makes a run due whatever today's date, weekday and hour are.
    now = datetime.now(UTC)
    clock = FakeClock(now - timedelta(days=2))  # before the commitments existed
    with session_factory() as session:
        group = make_group(
            session,
            checkin_schedule="0 * * * *",
            working_days=EVERY_DAY,
            timezone="UTC",
            now=now - timedelta(days=1),
        )
        for owner in OWNERS:
            make_commitment(
                session, group, owner=owner, due=now.date() + timedelta(days=30), now=clock()
            )
    checkin_jobs.install(make_runtime(session_factory, slack_api, clock))
    yield clock, group.id
    checkin_jobs.install(None)


def _leave_a_missed_run(leader: CheckinScheduler, group_id: int, clock: FakeClock) -> None:
    """Freeze the leader and store a check-in run it missed; from now on check-ins are due."""
    leader.scheduler.pause()
    leader.scheduler.modify_job(
        checkin_job_id(group_id), next_run_time=datetime.now(UTC) - timedelta(hours=1)
    )
    clock.set(datetime.now(UTC))


def _wait_for_takeover(old: CheckinScheduler, new: CheckinScheduler) -> float:
    """Seconds until ``new`` schedules; the two never schedule at the same time."""
    started = time.monotonic()
    while not new.running:
        assert not old.running or not new.running, "two schedulers on one job store"
        assert time.monotonic() - started < TAKEOVER, "no takeover in time"
        time.sleep(0.005)
    assert not old.running
    return time.monotonic() - started


def _dm_users(slack_api: FakeSlackAPI) -> list[str]:
    return sorted(c.params["channel"] for c in slack_api.calls_to("chat.postMessage"))


def test_a_waiting_process_takes_over_when_the_leader_shuts_down(
    make_scheduler: MakeScheduler,
    due_after_handover: tuple[FakeClock, int],
    slack_api: FakeSlackAPI,
) -> None:
    clock, group_id = due_after_handover
    leader, waiting = make_scheduler(), make_scheduler()
    assert leader.start()
    assert not waiting.start()
    time.sleep(3 * FAST)
    assert leader.running and not waiting.running  # retrying does not steal the lock
    _leave_a_missed_run(leader, group_id, clock)
    leader.shutdown()
    assert _wait_for_takeover(leader, waiting) < TAKEOVER
    slack_api.wait_for("chat.postMessage", count=len(OWNERS), timeout=TAKEOVER)
    checkin_jobs.run_sweep()  # the next sweep finds nothing left to send
    time.sleep(3 * FAST)
    assert _dm_users(slack_api) == OWNERS  # each owner once
    assert not leader.running


@pytest.mark.postgres
def test_a_leader_whose_lock_connection_drops_stops_and_another_takes_over(
    make_scheduler: MakeScheduler,
    due_after_handover: tuple[FakeClock, int],
    slack_api: FakeSlackAPI,
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock lives on a PostgreSQL connection")
    clock, group_id = due_after_handover
    leader, waiting = make_scheduler(), make_scheduler()
    assert leader.start()
    assert not waiting.start()
    _leave_a_missed_run(leader, group_id, clock)
    _terminate_lock_holder(engine)
    _wait_for_takeover(leader, waiting)
    slack_api.wait_for("chat.postMessage", count=len(OWNERS), timeout=TAKEOVER)
    checkin_jobs.run_sweep()
    time.sleep(3 * FAST)
    assert _dm_users(slack_api) == OWNERS
    assert not leader.running and waiting.running


def _terminate_lock_holder(engine: Engine) -> None:
    """Kill the backend holding this schema's scheduler lock (a dropped connection) and wait
    (up to 5 s) until it is gone: otherwise termination is only signalled, and the lock can
    outlive the call by a moment."""
    query = text(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_locks WHERE locktype = 'advisory'"
        " AND classid = :k AND objsubid = 2"
        " AND objid::bigint = (hashtext(current_schema())::bigint & 4294967295)"
    )
    with engine.connect() as connection:
        assert connection.execute(query, {"k": SCHEDULER_LOCK_KEY}).scalar()


def test_a_lost_lock_is_noticed(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name == "postgresql":
        lock = PostgresAdvisoryLock(engine)
        assert lock.acquire() and lock.check()
        _terminate_lock_holder(engine)
        other = PostgresAdvisoryLock(engine)
        assert other.acquire()  # the server let go with the connection
        other.release()
    else:
        path = tmp_path / "advisor.db.scheduler.lock"
        lock = FileLeaderLock(path)
        assert lock.acquire() and lock.check()
        path.unlink()  # another process could now lock a new file of that name
    assert not lock.check()
    assert lock.acquire() and lock.check()  # and leadership can be won again
    lock.release()


def test_a_process_that_never_leads_makes_no_job_store_engine(
    make_scheduler: MakeScheduler,
) -> None:
    leader, waiting = make_scheduler(), make_scheduler()
    assert leader.start()
    assert not waiting.start()
    assert waiting._store_engine is None  # made only to lead
    waiting.shutdown()
    assert not waiting.running
