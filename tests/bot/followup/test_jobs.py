"""The check-in loop end to end: database, pure rules, real WebClient, loopback fake Slack."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.followup import jobs as checkin_jobs
from bot.followup.send import CheckinRuntime, SendReport, post_digest
from bot.scheduling.leader import leader_lock_for
from bot.scheduling.rate_limit import TokenBucket
from bot.scheduling.scheduler import CheckinScheduler
from bot.scheduling.specs import checkin_job_id
from bot.slack.gateway import SlackGateway, build_web_client
from checkins.due import DueDigest
from storage.checkins import record_response
from storage.engine import SessionFactory
from storage.models import CheckIn, Digest, WorkingGroup
from tests.bot.followup.runtime import make_runtime
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlackAPI, dm_channel_id
from tests.storage.helpers import EVERY_DAY, make_commitment, make_group

LA = "America/Los_Angeles"
MONDAY_9_LA = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # 09:00 PDT, the day after the change
CREATED = datetime(2026, 2, 1, tzinfo=UTC)
OWNERS = ("UOWNA", "UOWNB", "UOWNC")
FAR = date(2099, 1, 1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_9_LA)


@pytest.fixture
def runtime(
    session_factory: SessionFactory, slack_api: FakeSlackAPI, clock: FakeClock
) -> Iterator[CheckinRuntime]:
    rt = make_runtime(session_factory, slack_api, clock)
    checkin_jobs.install(rt)
    yield rt
    checkin_jobs.install(None)


@pytest.fixture
def group(session_factory: SessionFactory) -> WorkingGroup:
    with session_factory() as session:
        made = make_group(session, timezone=LA, now=CREATED)
        for index, owner in enumerate(OWNERS):
            make_commitment(
                session, made, owner=owner, title=f"task {index}", due=date(2026, 4, 1), now=CREATED
            )
    return made


def _dm_users(slack_api: FakeSlackAPI) -> list[str]:
    """Users DMed: ``chat.postMessage`` calls addressed to a user ID."""
    posts = slack_api.calls_to("chat.postMessage")
    return sorted(c.params["channel"] for c in posts if c.params["channel"][:1] in "UW")


def test_restart_after_three_hours_sends_each_missed_checkin_once(
    runtime: CheckinRuntime, group: WorkingGroup, clock: FakeClock, slack_api: FakeSlackAPI
) -> None:
    clock.advance(hours=3)  # the process was down from 09:00 to 12:00
    first = checkin_jobs.run_due(runtime)  # the sweep at start
    checkin_jobs.run_group_checkins(group.id)  # the coalesced cron run arrives too
    checkin_jobs.run_sweep()  # ... and the next sweep
    assert first.sent == 3
    assert _dm_users(slack_api) == sorted(OWNERS)
    assert len(slack_api.calls_to("chat.postMessage")) == 3


def _periods(session_factory: SessionFactory) -> list[str]:
    with session_factory() as session:
        return sorted(row.period for row in session.exec(select(CheckIn)).all())


def test_weekly_checkin_at_nine_local_across_both_dst_changes(
    runtime: CheckinRuntime,
    group: WorkingGroup,
    clock: FakeClock,
    session_factory: SessionFactory,
) -> None:
    mondays = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 10, 26), date(2026, 11, 2)]
    offsets = {
        date(2026, 3, 2): 17,
        date(2026, 3, 9): 16,
        date(2026, 10, 26): 16,
        date(2026, 11, 2): 17,
    }  # UTC hour of 09:00 in Los Angeles
    for monday in mondays:
        nine = datetime(monday.year, monday.month, monday.day, offsets[monday], tzinfo=UTC)
        period = f"{monday.isoformat()}T09:00"
        clock.set(nine - timedelta(minutes=1))
        checkin_jobs.run_due(runtime)  # (reminders for last week may go; no check-in yet)
        assert period not in _periods(session_factory), monday
        clock.set(nine)
        checkin_jobs.run_due(runtime)
        assert _periods(session_factory).count(period) == 3, monday


def test_one_reminder_and_none_after_an_answer(
    runtime: CheckinRuntime,
    group: WorkingGroup,
    clock: FakeClock,
    slack_api: FakeSlackAPI,
    session_factory: SessionFactory,
) -> None:
    checkin_jobs.run_due(runtime)
    with session_factory() as session:
        rows = session.exec(select(CheckIn).order_by(CheckIn.id)).all()
        record_response(
            session,
            checkin_id=rows[0].id,
            actor_user_id=rows and OWNERS[0],
            response="on_track",
            admin_ids=(),
            now=clock(),
        )
    slack_api.reset()
    clock.advance(hours=25)
    assert checkin_jobs.run_due(runtime).sent == 2  # the two unanswered
    assert "Reminder" in slack_api.calls_to("chat.postMessage")[0].params["text"]
    clock.advance(hours=25)
    assert checkin_jobs.run_due(runtime).sent == 0


def test_digest_and_overdue_escalation(
    runtime: CheckinRuntime,
    clock: FakeClock,
    slack_api: FakeSlackAPI,
    session_factory: SessionFactory,
) -> None:
    with session_factory() as session:
        made = make_group(session, timezone=LA, now=CREATED, lead="ULEAD1")
        make_commitment(
            session, made, owner="ULATE1", title="late one", due=date(2026, 3, 2), now=CREATED
        )
        make_commitment(
            session, made, owner="UFINE1", title="fine one", due=date(2026, 4, 2), now=CREATED
        )
    checkin_jobs.run_due(runtime)  # Monday: check-ins and the escalation
    assert _dm_users(slack_api).count("ULEAD1") == 1
    texts = [c.params["text"] for c in slack_api.calls_to("chat.postMessage")]
    assert any("overdue by 7 days" in t and "late one" in t for t in texts)
    slack_api.reset()
    clock.set(datetime(2026, 3, 13, 22, 5, tzinfo=UTC))  # Friday 15:05 in Los Angeles
    checkin_jobs.run_due(runtime)
    posts = [c.params for c in slack_api.calls_to("chat.postMessage")]
    [post] = [p for p in posts if p["channel"] == "CPRIV"]
    body = str(post["blocks"])
    assert "late one" in body and "11d overdue" in body and "fine one" in body
    assert checkin_jobs.run_due(runtime).sent == 0  # digest once per period, one reminder each


def test_archived_channel_marks_group_and_never_crashes(
    runtime: CheckinRuntime,
    group: WorkingGroup,
    clock: FakeClock,
    slack_api: FakeSlackAPI,
    session_factory: SessionFactory,
) -> None:
    slack_api.add_channel("CPRIV", is_archived=True)
    clock.set(datetime(2026, 3, 13, 22, 5, tzinfo=UTC))
    report = checkin_jobs.run_due(runtime)
    assert report.problems == ["is_archived"]
    with session_factory() as session:
        assert session.get(WorkingGroup, group.id).channel_error == "is_archived"
    assert checkin_jobs.run_due(runtime).unreachable == 0  # not retried in a loop
    slack_api.add_channel("CPRIV", is_archived=False)
    clock.advance(days=7)
    assert checkin_jobs.run_due(runtime).sent == 1  # next week's digest goes out
    with session_factory() as session:
        assert session.get(WorkingGroup, group.id).channel_error is None


def test_owner_who_left_is_reported_in_the_digest(
    runtime: CheckinRuntime,
    group: WorkingGroup,
    clock: FakeClock,
    slack_api: FakeSlackAPI,
) -> None:
    slack_api.add_user(OWNERS[0], deleted=True)
    report = checkin_jobs.run_due(runtime)
    assert (report.sent, report.unreachable) == (2, 1)
    assert checkin_jobs.run_due(runtime).sent == 0
    slack_api.reset()
    clock.set(datetime(2026, 3, 13, 22, 5, tzinfo=UTC))
    checkin_jobs.run_due(runtime)
    digest = slack_api.calls_to("chat.postMessage")[-1].params
    assert f"<@{OWNERS[0]}>" in str(digest["blocks"]) and "Could not reach" in str(digest["blocks"])


def test_slack_outage_releases_the_claim_for_the_next_sweep(
    runtime: CheckinRuntime,
    group: WorkingGroup,
    clock: FakeClock,
    slack_api: FakeSlackAPI,
) -> None:
    slack_api.fail_next("chat.postMessage", status=500, times=4)  # beyond the retries
    first = checkin_jobs.run_due(runtime)
    assert (first.sent, first.failed) == (2, 1)
    clock.advance(minutes=5)
    assert checkin_jobs.run_due(runtime).sent == 1
    assert len(slack_api.calls_to("chat.postMessage")) == 4 + 3  # 4 failed tries, 3 delivered


def test_apscheduler_coalesces_missed_runs_after_downtime(
    db_url: str,
    engine: Engine,
    session_factory: SessionFactory,
    runtime: CheckinRuntime,
    slack_api: FakeSlackAPI,
    clock: FakeClock,
) -> None:
    # Real APScheduler threads run at the wall clock: an hourly schedule on every day of
    # the week makes a run due whatever today's date, weekday and hour are.
    now = datetime.now(UTC)
    clock.set(now)
    with session_factory() as session:
        made = make_group(
            session,
            checkin_schedule="0 * * * *",
            working_days=EVERY_DAY,
            timezone="UTC",
            now=now - timedelta(days=1),
        )
        make_commitment(session, made, owner="UOWNA", due=FAR, now=now - timedelta(days=1))
        make_commitment(session, made, owner="UOWNB", due=FAR, now=now - timedelta(days=1))

    def scheduler() -> CheckinScheduler:
        return CheckinScheduler(
            database_url=db_url,
            sessions=session_factory,
            misfire_grace_seconds=6 * 3600,
            lock=leader_lock_for(engine),
        )

    before = scheduler()
    before.scheduler.start(paused=True)  # the last run before going down: jobs stored, idle
    before.resync()
    before.scheduler.modify_job(checkin_job_id(made.id), next_run_time=now - timedelta(hours=3))
    before.shutdown()  # down for three hours: three hourly runs were missed
    runs: list[JobExecutionEvent] = []
    ran = threading.Event()

    def listen(event: JobExecutionEvent) -> None:
        if event.job_id == checkin_job_id(made.id):
            runs.append(event)
            ran.set()

    after = scheduler()
    after.scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    try:
        assert after.start()
        assert ran.wait(timeout=20)
        checkin_jobs.run_sweep()
    finally:
        after.shutdown()
    assert len(runs) == 1 and runs[0].exception is None
    assert _dm_users(slack_api) == ["UOWNA", "UOWNB"]


def test_checkin_dms_post_to_the_user_id_without_conversations_open(
    runtime: CheckinRuntime,
    group: WorkingGroup,
    slack_api: FakeSlackAPI,
    session_factory: SessionFactory,
) -> None:
    assert checkin_jobs.run_due(runtime).sent == 3
    assert slack_api.calls_to("conversations.open") == []  # Tier 3: not spent per DM
    assert _dm_users(slack_api) == sorted(OWNERS)
    with session_factory() as session:
        rows = session.exec(select(CheckIn)).all()
        stored = {(r.dm_channel, bool(r.message_ts)) for r in rows}
    # The D… id Slack answered is stored, so chat.update can later edit the DM.
    assert stored == {(dm_channel_id(owner), True) for owner in OWNERS}


def test_owner_whose_dm_is_not_found_is_unreachable_not_retried(
    runtime: CheckinRuntime, group: WorkingGroup, clock: FakeClock, slack_api: FakeSlackAPI
) -> None:
    slack_api.fail_next("chat.postMessage", error="channel_not_found")  # user ID gone
    report = checkin_jobs.run_due(runtime)
    assert (report.sent, report.unreachable, report.problems) == (2, 1, ["channel_not_found"])
    clock.advance(minutes=5)
    assert checkin_jobs.run_due(runtime).sent == 0
    assert len(slack_api.calls_to("chat.postMessage")) == 3


def test_every_post_of_a_run_waits_for_the_process_wide_limiter(
    runtime: CheckinRuntime, group: WorkingGroup, clock: FakeClock, slack_api: FakeSlackAPI
) -> None:
    slept: list[float] = []
    limiter = TokenBucket(per_second=2, burst=1, clock=lambda: 0.0, sleep=slept.append)
    paced = dataclasses.replace(runtime, post_limiter=limiter)
    assert checkin_jobs.run_due(paced).sent == 3
    assert slept == [0.5, 1.0]  # the burst of 1, then one slot every 0.5 s
    clock.set(datetime(2026, 3, 13, 22, 5, tzinfo=UTC))  # Friday: reminders and the digest
    assert checkin_jobs.run_due(paced).sent == 3 + 1
    assert slept == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]


def test_a_digest_that_cannot_be_read_is_not_claimed(
    runtime: CheckinRuntime,
    group: WorkingGroup,
    engine: Engine,
    session_factory: SessionFactory,
    slack_api: FakeSlackAPI,
) -> None:
    """A failure building the digest must leave the period unclaimed, for the next run."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE status_update")  # it refers to check_in
        connection.exec_driver_sql("DROP TABLE check_in")
    due = DueDigest(group_id=group.id, period="2026-03-06T15:00", scheduled_for=MONDAY_9_LA)
    with pytest.raises(DBAPIError):
        post_digest(runtime, due, group=group, report=SendReport())
    with session_factory() as session:
        assert session.exec(select(Digest)).all() == []
    assert slack_api.calls_to("chat.postMessage") == []


class BuggyGateway(SlackGateway):
    """Raises an unexpected error (a bug, not a Slack failure) before DMing one user."""

    def __init__(self, client: WebClient, *, broken_for: str) -> None:
        super().__init__(client)
        self.broken_for = broken_for

    def post_dm(self, *, user: str, text: str, blocks: list[dict] | None = None) -> tuple[str, str]:
        if user == self.broken_for:
            raise RuntimeError(f"cannot render {text}")  # the message text must not be logged
        return super().post_dm(user=user, text=text, blocks=blocks)


def test_one_item_with_an_unexpected_error_does_not_stop_the_run(
    session_factory: SessionFactory,
    slack_api: FakeSlackAPI,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with session_factory() as session:
        made = make_group(session, timezone=LA, now=CREATED, lead="ULEAD1")
        for owner, title in ((OWNERS[0], "secret plan"), (OWNERS[1], "fine")):
            make_commitment(session, made, owner=owner, title=title, due=FAR, now=CREATED)
        make_commitment(
            session, made, owner=OWNERS[2], title="late", due=date(2026, 3, 2), now=CREATED
        )
    client = build_web_client(token="xoxb-test", base_url=slack_api.base_url)
    buggy = make_runtime(
        session_factory, slack_api, clock, gateway=BuggyGateway(client, broken_for=OWNERS[0])
    )
    report = checkin_jobs.run_due(buggy)
    assert (report.sent, report.failed) == (3, 1)  # two check-ins and the escalation after it
    assert _dm_users(slack_api) == sorted([OWNERS[1], OWNERS[2], "ULEAD1"])
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "RuntimeError" in logged and "secret plan" not in logged
    with session_factory() as session:  # the broken item's claim was released ...
        assert len(session.exec(select(CheckIn)).all()) == 2
    clock.advance(minutes=5)
    fixed = make_runtime(session_factory, slack_api, clock)
    assert checkin_jobs.run_due(fixed).sent == 1  # ... so the next sweep sends it, once
    assert checkin_jobs.run_due(fixed).sent == 0
    assert _dm_users(slack_api).count(OWNERS[0]) == 1
