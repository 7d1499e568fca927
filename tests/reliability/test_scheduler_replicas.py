"""Issue 11, item 8, with two real ``advisor serve`` replicas on one PostgreSQL database: a
group created and then rescheduled through the replica that is *not* the scheduler leader
is scheduled by the leader within its change poll (2 s here, 5 s by default), not at the
5-minute resync, and the check-in whose time passed before its job existed is sent once."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from storage.models import CheckIn, Commitment, WorkingGroup
from tests.conftest import PG_ENV, _postgres_schema_url
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI, dm_channel_id
from tests.reliability.conftest import Serve, launch_serve, wait_until
from tests.storage.helpers import EVERY_DAY

pytestmark = [pytest.mark.separate_process, pytest.mark.model, pytest.mark.postgres]

LEAD, OWNER = "ULEADREP1", "UOWNERREP"
POLL_SECONDS = 2.0  # ADVISOR_SCHEDULER_CHANGE_POLL_SECONDS of both replicas
PICKUP_SECONDS = 12.0  # a few polls, with room for a loaded CI machine
LEADING = "this process runs the check-in scheduler"


@pytest.fixture(scope="module")
def replicas(
    module_slack: FakeSlackAPI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Serve, Serve]]:
    """Two replicas started together; (the one that took the scheduler, the other)."""
    base_url = os.environ.get(PG_ENV)
    if not base_url:
        pytest.skip(f"two replicas share one PostgreSQL database: set {PG_ENV}")
    schema = _postgres_schema_url(base_url)
    url = next(schema)
    started: list[Serve] = []
    try:
        for name in ("a", "b"):
            workdir = tmp_path_factory.mktemp(name)
            started.append(
                launch_serve(
                    workdir,
                    module_slack,
                    database_url=url,
                    extra={"ADVISOR_SCHEDULER_CHANGE_POLL_SECONDS": str(POLL_SECONDS)},
                )
            )
        for serve in started:
            serve.wait_healthy()
        wait_until(
            lambda: any(LEADING in s.log_text() for s in started),
            timeout=30,
            what="neither replica runs the scheduler",
        )
        leaders = [s for s in started if LEADING in s.log_text()]
        assert len(leaders) == 1
        follower = next(s for s in started if s is not leaders[0])
        yield leaders[0], follower
    finally:
        for serve in started:
            serve.stop()
        schema.close()  # drops the schema


def command(serve: Serve, slack: FakeSlackAPI, words: str, name: str) -> str:
    status, _ = serve.sender.command(
        command="/advisor",
        text=words,
        user_id=LEAD,
        channel_id="COPS00001",
        response_url=slack.response_url(name),
        trigger_id="1.2.3",
        team_id=TEAM_ID,
    )
    assert status == 200
    (reply,) = slack.wait_for(f"response:{name}", timeout=15)
    return str(reply.params["text"])


def job_exists(serve: Serve, job_id: str) -> bool:
    with serve.engine.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM apscheduler_jobs WHERE id = :id"), {"id": job_id}
        ).first()
    return found is not None


def test_work_made_on_the_follower_is_scheduled_by_the_leader_within_seconds(
    replicas: tuple[Serve, Serve], slack: FakeSlackAPI
) -> None:
    leader, follower = replicas
    assert LEADING not in follower.log_text()

    reply = command(follower, slack, 'group create ops checkins "0 0 1 1 *"', "create")
    assert "ops" in reply
    with Session(follower.engine) as session:
        group = session.exec(select(WorkingGroup).where(WorkingGroup.name == "ops")).one()
    created = time.monotonic()
    wait_until(
        lambda: job_exists(leader, f"group:{group.id}:checkins"),
        timeout=PICKUP_SECONDS,
        what="the leader did not schedule the follower's new group",
    )
    assert time.monotonic() - created < PICKUP_SECONDS

    # A commitment made two hours ago, every day a working day; then an hourly schedule,
    # again through the follower: the last hourly check-in passed before its job existed.
    now = datetime.now(UTC)
    with Session(follower.engine) as session:
        row = session.get(WorkingGroup, group.id)
        assert row is not None
        row.working_days = EVERY_DAY
        session.add(
            Commitment(
                group_id=row.id,
                owner_user_id=OWNER,
                title="Publish the sensor register",
                due_date=now.date() + timedelta(days=30),
                created_by=OWNER,
                created_at=now - timedelta(hours=2),
                updated_at=now - timedelta(hours=2),
            )
        )
        session.commit()
    assert "now checks in" in command(follower, slack, 'group schedule ops "0 * * * *"', "schedule")
    changed = time.monotonic()

    def owner_dms() -> list[dict]:
        return [
            c.params
            for c in slack.calls_to("chat.postMessage")
            if c.params.get("channel") in (OWNER, dm_channel_id(OWNER))
        ]

    wait_until(
        lambda: bool(owner_dms()),
        timeout=PICKUP_SECONDS,
        what="the missed check-in was not caught up",
    )
    assert time.monotonic() - changed < PICKUP_SECONDS
    time.sleep(POLL_SECONDS * 1.5)  # another change poll: nothing more for the same period
    with Session(leader.engine) as session:
        claims = session.exec(select(CheckIn)).all()
    periods = {claim.period for claim in claims}
    assert len(claims) == len(periods) >= 1
    assert len(owner_dms()) == len(periods)
    assert "picked up new or changed groups" in leader.log_text()
    assert "picked up new or changed groups" not in follower.log_text()
