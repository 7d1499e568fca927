"""Scheduler wiring: triggers match the pure rules, jobs come from the database, one leader."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.util import ref_to_obj
from sqlalchemy import Engine, text

from bot.scheduling.leader import leader_lock_for
from bot.scheduling.scheduler import CheckinScheduler
from bot.scheduling.specs import (
    JOB_CHECKINS,
    JOB_DIGEST,
    JOB_RESYNC,
    JOB_SWEEP,
    SWEEP_JOB_ID,
    checkin_job_id,
    cron_trigger,
    digest_job_id,
)
from checkins.schedule import next_fire, parse_schedule
from storage.engine import SessionFactory
from storage.groups import delete_group, update_group_schedule
from tests.storage.helpers import make_group

LA = "America/Los_Angeles"


def test_cron_trigger_fires_when_the_rules_say_across_dst() -> None:
    for spec in ("mon 09:00", "weekdays 08:45", "30 2 * * *", "0 9 1 * *", "*/30 9-10 * * 1-5"):
        trigger = cron_trigger(spec, timezone=LA)
        schedule = parse_schedule(spec, timezone=LA)
        at = datetime(2026, 2, 20, tzinfo=UTC)
        for _ in range(40):  # spans the March change
            expected = next_fire(schedule, after=at)
            got = trigger.get_next_fire_time(None, at + timedelta(microseconds=1))
            assert got.astimezone(UTC) == expected, spec
            at = expected


@pytest.fixture
def make_scheduler(
    db_url: str, engine: Engine, session_factory: SessionFactory
) -> Iterator[object]:
    made: list[CheckinScheduler] = []

    def make() -> CheckinScheduler:
        scheduler = CheckinScheduler(
            database_url=db_url,
            sessions=session_factory,
            misfire_grace_seconds=6 * 3600,
            lock=leader_lock_for(engine),
        )
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.shutdown()


def _job_rows(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(r[0] for r in connection.execute(text("SELECT id FROM apscheduler_jobs")))


def test_jobs_derived_from_database_without_copies_on_restart(
    make_scheduler, engine: Engine, session_factory: SessionFactory
) -> None:
    with session_factory() as session:
        group = make_group(session, timezone=LA)
    first = make_scheduler()
    assert first.start()
    job = first.scheduler.get_job(checkin_job_id(group.id))
    assert job.func_ref == JOB_CHECKINS and job.args == (group.id,)
    assert str(job.trigger.timezone) == LA
    assert job.misfire_grace_time == 6 * 3600 and job.coalesce and job.max_instances == 1
    expected = sorted(
        [SWEEP_JOB_ID, "checkins:resync", checkin_job_id(group.id), digest_job_id(group.id)]
    )
    assert _job_rows(engine) == expected
    first.shutdown()
    second = make_scheduler()
    assert second.start()
    assert second.resync().added == 0
    assert _job_rows(engine) == expected


def test_schedule_change_reschedules_and_deleted_groups_lose_jobs(
    make_scheduler, engine: Engine, session_factory: SessionFactory
) -> None:
    with session_factory() as session:
        group = make_group(session, timezone=LA)
    scheduler = make_scheduler()
    scheduler.start()
    before = scheduler.scheduler.get_job(checkin_job_id(group.id)).next_run_time
    with session_factory() as session:
        update_group_schedule(
            session,
            group_id=group.id,
            actor_user_id="ULEAD",
            admin_ids=(),
            checkin_schedule="tue 10:00",
        )
    assert scheduler.resync().added == 1
    after = scheduler.scheduler.get_job(checkin_job_id(group.id)).next_run_time
    assert after.astimezone(parse_schedule("tue 10:00", timezone=LA).tz).strftime("%a %H:%M") == (
        "Tue 10:00"
    )
    assert after != before
    with session_factory() as session:
        delete_group(session, group_id=group.id, actor_user_id="UADMIN", admin_ids=("UADMIN",))
    assert scheduler.resync().removed == 2
    assert checkin_job_id(group.id) not in _job_rows(engine)


def test_only_one_process_runs_the_scheduler(make_scheduler) -> None:
    leader = make_scheduler()
    follower = make_scheduler()
    assert leader.start()
    assert not follower.start()
    assert not follower.running
    leader.shutdown()
    assert follower.start()


def test_invalid_group_schedules_are_skipped(make_scheduler, session_factory) -> None:
    with session_factory() as session:
        make_group(session, checkin_schedule="0 0 31 2 *")
    scheduler = make_scheduler()
    assert scheduler.start()
    assert [j.id for j in scheduler.scheduler.get_jobs() if j.id.startswith("group:")] == []


def _next_runs(engine: Engine) -> dict[str, float]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, next_run_time FROM apscheduler_jobs"))
        return {row[0]: row[1] for row in rows}


def test_resync_leaves_unchanged_jobs_alone(
    make_scheduler, engine: Engine, session_factory: SessionFactory
) -> None:
    with session_factory() as session:
        make_group(session, timezone=LA)
    scheduler = make_scheduler()
    assert scheduler.start()
    first = scheduler.resync()
    before = _next_runs(engine)
    time.sleep(1.1)  # a later second: a trigger that starts "now + interval" would differ
    second = scheduler.resync()
    assert (first.added, second.added, second.removed) == (0, 0, 0)
    assert second.kept == len(before) == 4
    assert _next_runs(engine) == before  # the sweep and resync included


# ``func`` of every job row written so far: these strings must keep resolving.
STORED_FUNC_REFS = (
    "bot.jobs:run_group_checkins",
    "bot.jobs:run_group_digest",
    "bot.jobs:run_sweep",
    "bot.jobs:resync_active",
    "bot.checkin_jobs:run_group_checkins",  # 0.1.0
    "bot.checkin_jobs:run_group_digest",
    "bot.checkin_jobs:run_sweep",
    "bot.scheduler:resync_active",
)


def test_stored_job_function_references_still_load() -> None:
    assert {JOB_CHECKINS, JOB_DIGEST, JOB_SWEEP, JOB_RESYNC} <= set(STORED_FUNC_REFS)
    for ref in STORED_FUNC_REFS:
        assert callable(ref_to_obj(ref)), ref
