"""The scheduler's leader picks up groups created or changed by another process within its
change poll, and sends what was due before the group's job existed, once (issue 11, item 8).

Real APScheduler on both backends, the loopback fake Slack API. The group is written
straight to the database, as another replica would; ``tests/reliability`` does the same with
two real ``advisor serve`` processes on PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.followup import jobs as checkin_jobs
from bot.scheduling.leader import leader_lock_for
from bot.scheduling.scheduler import CheckinScheduler
from bot.scheduling.specs import checkin_job_id
from storage.engine import SessionFactory
from storage.models import CheckIn, Commitment, MemberRole, Membership, WorkingGroup
from tests.bot.followup.runtime import make_runtime
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlackAPI, dm_channel_id
from tests.storage.helpers import EVERY_DAY

OWNER = "UOWNERCHG"
POLL = 0.2
PICKUP = 10.0  # generous bound for "within the poll interval" on a loaded machine


def _scheduler(db_url: str, engine: Engine, sessions: SessionFactory) -> CheckinScheduler:
    """A scheduler that checks its lock every 0.5 s and polls group changes every POLL s."""
    return CheckinScheduler(
        database_url=db_url,
        sessions=sessions,
        misfire_grace_seconds=6 * 3600,
        lock=leader_lock_for(engine),
        leader_check_seconds=0.5,
        change_poll_seconds=POLL,
    )


@pytest.fixture
def leader(
    db_url: str, engine: Engine, session_factory: SessionFactory, slack_api: FakeSlackAPI
) -> Iterator[CheckinScheduler]:
    # Real APScheduler threads run at the wall clock; the runtime's clock is "now" too.
    checkin_jobs.install(make_runtime(session_factory, slack_api, FakeClock(datetime.now(UTC))))
    scheduler = _scheduler(db_url, engine, session_factory)
    assert scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown()
        checkin_jobs.install(None)


def add_group_elsewhere(session_factory: SessionFactory) -> int:
    """An hourly group on every day and a commitment made two hours ago, in one commit:
    its latest hourly check-in passed before any job for it existed."""
    now = datetime.now(UTC)
    with session_factory() as session:
        group = WorkingGroup(
            name="replica-made",
            channel_id="CREPLICA1",
            lead_user_id="ULEADCHG",
            timezone="UTC",
            checkin_schedule="0 * * * *",
            working_days=EVERY_DAY,
            created_at=now - timedelta(hours=3),
        )
        session.add(group)
        session.flush()
        assert group.id is not None
        session.add(
            Membership(
                group_id=group.id,
                user_id="ULEADCHG",
                role=MemberRole.LEAD.value,
                joined_at=now - timedelta(hours=3),
            )
        )
        session.add(
            Commitment(
                group_id=group.id,
                owner_user_id=OWNER,
                title="Publish the sensor register",
                due_date=now.date() + timedelta(days=30),
                created_by=OWNER,
                created_at=now - timedelta(hours=2),
                updated_at=now - timedelta(hours=2),
            )
        )
        session.commit()
        return group.id


def dms_to_owner(slack_api: FakeSlackAPI) -> list[dict]:
    return [
        c.params
        for c in slack_api.calls_to("chat.postMessage")
        if c.params.get("channel") in (OWNER, dm_channel_id(OWNER))
    ]


def test_a_group_made_by_another_process_is_scheduled_and_caught_up_once(
    leader: CheckinScheduler, session_factory: SessionFactory, slack_api: FakeSlackAPI
) -> None:
    group_id = add_group_elsewhere(session_factory)
    started = time.monotonic()
    slack_api.wait_for("chat.postMessage", timeout=PICKUP)
    assert time.monotonic() - started < PICKUP
    assert leader.scheduler.get_job(checkin_job_id(group_id)) is not None
    time.sleep(5 * POLL)  # more polls: nothing changed, nothing more is sent
    assert leader.poll_changes() == []
    with session_factory() as session:
        claims = session.exec(select(CheckIn)).all()
    periods = {claim.period for claim in claims}
    assert len(claims) == len(periods) >= 1  # one check-in per period
    assert len(dms_to_owner(slack_api)) == len(periods)


def test_a_follower_does_not_poll(
    db_url: str, engine: Engine, session_factory: SessionFactory, leader: CheckinScheduler
) -> None:
    follower = _scheduler(db_url, engine, session_factory)
    assert follower.start() is False
    try:
        add_group_elsewhere(session_factory)
        assert follower.poll_changes() == []
    finally:
        follower.shutdown()
