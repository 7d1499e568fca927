"""A job store written by 0.1.0 (job rows naming ``bot.checkin_jobs`` and ``bot.scheduler``)
still loads and runs, and a scheduler's first resync renames its rows to ``bot.jobs``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import ref_to_obj
from sqlalchemy import Engine

import bot.jobs
from bot.followup import jobs as checkin_jobs
from bot.scheduling.leader import leader_lock_for
from bot.scheduling.scheduler import CheckinScheduler, build_scheduler
from bot.scheduling.specs import (
    JOB_CHECKINS,
    JOB_DIGEST,
    JOB_RESYNC,
    JOB_SWEEP,
    LEGACY_JOB_REFS,
    checkin_job_id,
    desired_jobs,
)
from storage.engine import SessionFactory
from storage.models import WorkingGroup
from tests.bot.followup.runtime import make_runtime
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlackAPI
from tests.storage.helpers import make_commitment, make_group

LA = "America/Los_Angeles"
MONDAY_9_LA = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # the group's check-in time
OWNERS = ("UOWNA", "UOWNB")
# What 0.1.0 wrote for each job, by the name written today.
LEGACY = dict(zip((JOB_CHECKINS, JOB_DIGEST, JOB_SWEEP, JOB_RESYNC), LEGACY_JOB_REFS, strict=True))


@pytest.fixture
def group(session_factory: SessionFactory) -> WorkingGroup:
    with session_factory() as session:
        made = make_group(session, timezone=LA, now=datetime(2026, 2, 1, tzinfo=UTC))
        for owner in OWNERS:
            make_commitment(session, made, owner=owner, due=date(2099, 1, 1))
    return made


@pytest.fixture
def installed(session_factory: SessionFactory, slack_api: FakeSlackAPI) -> Iterator[None]:
    checkin_jobs.install(make_runtime(session_factory, slack_api, FakeClock(MONDAY_9_LA)))
    yield
    checkin_jobs.install(None)


def _write_0_1_0_store(engine: Engine, group: WorkingGroup) -> list[str]:
    """The job rows as 0.1.0 wrote them: the same ids and triggers, the old function names."""
    old = build_scheduler(jobstore_engine=engine, misfire_grace_seconds=3600)
    old.start(paused=True)
    ids = []
    for spec in desired_jobs([group], sweep_minutes=5):
        old.add_job(LEGACY[spec.func], trigger=spec.trigger, args=list(spec.args), id=spec.id)
        ids.append(spec.id)
    old.shutdown()
    return sorted(ids)


def test_legacy_names_are_the_stable_jobs() -> None:
    for new, old in LEGACY.items():
        assert new.startswith("bot.jobs:")
        assert ref_to_obj(old) is ref_to_obj(new), old
    added_since = {"run_curator_digest"}  # jobs new after 0.1.0 have no legacy name
    assert sorted(set(bot.jobs.__all__) - added_since) == sorted(
        ref.split(":")[1] for ref in LEGACY
    )


def test_a_0_1_0_job_store_loads_and_runs_with_this_code(
    engine: Engine,
    group: WorkingGroup,
    installed: None,
    slack_api: FakeSlackAPI,
) -> None:
    ids = _write_0_1_0_store(engine, group)
    stored = {job.id: job for job in SQLAlchemyJobStore(engine=engine).get_all_jobs()}
    assert sorted(stored) == ids
    assert sorted(job.func_ref for job in stored.values()) == sorted(LEGACY_JOB_REFS)
    job = stored[checkin_job_id(group.id)]
    job.func(*job.args)  # what APScheduler does when the row's time comes
    posts = slack_api.calls_to("chat.postMessage")
    assert sorted(c.params["channel"] for c in posts) == sorted(OWNERS)


def test_the_first_resync_renames_0_1_0_rows(
    db_url: str, engine: Engine, session_factory: SessionFactory, group: WorkingGroup
) -> None:
    ids = _write_0_1_0_store(engine, group)
    scheduler = CheckinScheduler(
        database_url=db_url,
        sessions=session_factory,
        misfire_grace_seconds=3600,
        lock=leader_lock_for(engine),
    )
    try:
        assert scheduler.start()
        scheduler.resync()
    finally:
        scheduler.shutdown()
    stored = SQLAlchemyJobStore(engine=engine).get_all_jobs()
    assert sorted(job.id for job in stored) == ids
    assert {job.func_ref for job in stored} == {JOB_CHECKINS, JOB_DIGEST, JOB_SWEEP, JOB_RESYNC}
