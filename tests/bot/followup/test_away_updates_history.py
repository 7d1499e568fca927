"""Issue 14, the check-in features teams ask for, end to end through signed requests on
SQLite and PostgreSQL: away (across a DST change), an update that the next check-in counts
exactly once, the status trail, and a commitment that keeps its answer's citations."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlmodel import select

from bot.blocks import modals
from bot.blocks.answer import MAKE_COMMITMENT
from bot.followup import jobs as checkin_jobs
from bot.followup.plan import plan_due
from bot.followup.send import CheckinRuntime, SendReport, send_checkin
from bot.scheduling.rate_limit import TokenBucket
from checkins.due import DuePolicy
from storage.models import AwayPeriod, CheckIn, Commitment, StatusUpdate, WorkingGroup, saved_id
from tests.bot.conftest import Running
from tests.bot.ui import LEAD, OWNER, STRANGER, checkin_row, command, seed_checkin, seed_group
from tests.fakes.clock import FakeClock
from tests.fakes.slack_requests import block_action, view_submission
from tests.storage.helpers import EVERY_DAY, make_commitment

NEW_YORK = "America/New_York"


def runtime(ui: Running, clock: FakeClock, *, playbooks_url: str | None = None) -> CheckinRuntime:
    services = ui.services
    return CheckinRuntime(
        services.sessions, services.slack, clock, DuePolicy(), playbooks_url=playbooks_url
    )


def dms_to(ui: Running, user: str) -> list[dict[str, object]]:
    return [
        c.params for c in ui.slack_api.calls_to("chat.postMessage") if c.params["channel"] == user
    ]


def checkins(ui: Running) -> list[CheckIn]:
    with ui.services.session() as session:
        return list(session.exec(select(CheckIn).order_by(CheckIn.scheduled_for)).all())


def owned_commitment(ui: Running, group: WorkingGroup) -> Commitment:
    with ui.services.session() as session:
        return make_commitment(session, group, owner=OWNER, title="Draft the camera policy")


# --- away -----------------------------------------------------------------------------------


def test_away_across_the_spring_dst_change_pauses_until_local_midnight(
    ui_db: Running, clock: FakeClock
) -> None:
    """New York moves to EDT on Sunday 8 March 2026. Away "until 2026-03-08" ends at
    midnight EDT (04:00 UTC), not EST (05:00 UTC): the 00:30 check-in on Monday goes out."""
    ui = ui_db
    ui.slack_api.add_user(OWNER, tz=NEW_YORK)
    group = seed_group(
        ui, timezone=NEW_YORK, checkin_schedule="30 0,23 * * *", working_days=EVERY_DAY
    )
    owned_commitment(ui, group)
    said = command(ui, "away until 2026-03-08")
    assert said.startswith("You are away until the end of 2026-03-08 (America/New_York)")
    with ui.services.session() as session:
        (away,) = session.exec(select(AwayPeriod)).all()
    assert away.back_at == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
    assert command(ui, "away").startswith("You are away until the end of 2026-03-08")

    clock.set(datetime(2026, 3, 7, 4, 30, tzinfo=UTC))  # Fri 23:30 EST, away: nothing
    checkin_jobs.run_due(runtime(ui, clock))
    clock.set(datetime(2026, 3, 9, 3, 30, tzinfo=UTC))  # Sun 23:30 EDT, still away
    checkin_jobs.run_due(runtime(ui, clock))
    assert dms_to(ui, OWNER) == [] and checkins(ui) == []

    clock.set(datetime(2026, 3, 9, 4, 30, tzinfo=UTC))  # Mon 00:30 EDT: back
    report = checkin_jobs.run_due(runtime(ui, clock))
    assert report.sent == 1 and len(dms_to(ui, OWNER)) == 1
    assert [c.period for c in checkins(ui)] == ["2026-03-09T00:30"]


def test_away_refuses_past_dates_and_the_digest_shows_who_is_away(
    ui_db: Running, clock: FakeClock
) -> None:
    ui = ui_db
    ui.slack_api.add_user(OWNER, tz=NEW_YORK)
    seed_group(ui, timezone=NEW_YORK)
    past = command(ui, "away until 2026-03-03")
    assert "2026-03-03 is in the past (today is 2026-03-04)" in past
    assert "Usage: `/advisor away until <date>`" in command(ui, "away for a while")
    with ui.services.session() as session:
        assert session.exec(select(AwayPeriod)).all() == []
    command(ui, "away until 2026-03-08")
    clock.set(datetime(2026, 3, 6, 20, 0, tzinfo=UTC))  # Fri 15:00 in New York: the digest
    checkin_jobs.run_due(runtime(ui, clock))
    (digest,) = [c.params for c in ui.slack_api.calls_to("chat.postMessage")]
    assert f"Away: <@{OWNER}> until 2026-03-08" in json.dumps(digest["blocks"])
    assert command(ui, "away off") == "Welcome back: your check-ins and reminders are on again."
    assert command(ui, "away").startswith("You are not away.")


def test_away_until_the_last_date_there_is_is_refused_plainly(ui_db: Running) -> None:
    """Regression: ``away until 9999-12-31`` overflowed computing the day after and the
    caller got only "something went wrong"."""
    said = command(ui_db, "away until 9999-12-31")
    assert said.startswith("9999-12-31 is too far ahead to be away until.")
    assert "Usage: `/advisor away until <date>`" in said
    with ui_db.services.session() as session:
        assert session.exec(select(AwayPeriod)).all() == []


def test_a_reminder_waits_while_the_owner_is_away(ui_db: Running, clock: FakeClock) -> None:
    ui = ui_db
    group = seed_group(ui)
    seed_checkin(ui, group)  # sent Wednesday 17:00 UTC, unanswered
    command(ui, "away until 2026-03-06")  # no Slack timezone: the default, UTC
    clock.set(datetime(2026, 3, 5, 18, 0, tzinfo=UTC))  # the reminder would be due
    assert checkin_jobs.run_due(runtime(ui, clock)).sent == 0
    clock.set(datetime(2026, 3, 7, 0, 30, tzinfo=UTC))  # back
    assert checkin_jobs.run_due(runtime(ui, clock)).sent == 1
    (reminder,) = dms_to(ui, OWNER)
    assert str(reminder["text"]).startswith(":bell: Reminder")


# --- update any time --------------------------------------------------------------------------


def test_an_update_answers_the_next_checkin_exactly_once(ui_db: Running, clock: FakeClock) -> None:
    ui = ui_db
    group = seed_group(ui)
    commitment = owned_commitment(ui, group)
    said = command(ui, f'update {commitment.id} at-risk "vendor is late"')
    assert said == (
        f"Recorded *:large_yellow_circle: at risk* for #{commitment.id} *Draft the camera "
        "policy*: vendor is late. Your next check-in will count it instead of asking."
    )
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # Monday's check-in
    report = checkin_jobs.run_due(runtime(ui, clock))
    assert (report.sent, report.counted) == (0, 1)
    assert dms_to(ui, OWNER) == []
    (counted,) = checkins(ui)
    assert (counted.period, counted.response, counted.note, counted.sent_at) == (
        "2026-03-09T09:00",
        "at_risk",
        "vendor is late",
        None,
    )
    again = checkin_jobs.run_due(runtime(ui, clock))  # the sweep runs again: nothing more
    assert (again.sent, again.counted) == (0, 0) and len(checkins(ui)) == 1
    clock.set(datetime(2026, 3, 13, 15, 0, tzinfo=UTC))  # Friday's digest counts it
    checkin_jobs.run_due(runtime(ui, clock))
    (digest,) = ui.slack_api.calls_to("chat.postMessage")
    assert ":large_yellow_circle: at risk" in json.dumps(digest.params["blocks"])
    clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))  # the next period asks again
    assert checkin_jobs.run_due(runtime(ui, clock)).sent == 1
    assert len(dms_to(ui, OWNER)) == 1


def test_an_update_answers_a_waiting_checkin_and_only_the_owner_lead_or_admin_may(
    ui_db: Running, clock: FakeClock
) -> None:
    ui = ui_db
    group = seed_group(ui)
    commitment, checkin = seed_checkin(ui, group)
    denied = command(ui, f"update {commitment.id} done", user=STRANGER)
    assert (
        denied
        == f"Only the owner, the group lead or an admin can change commitment #{commitment.id}."
    )
    assert "is not a status" in command(ui, f"update {commitment.id} fine")
    said = command(ui, f"update {commitment.id} on track", user=LEAD)
    assert said.endswith("It answers the check-in I sent you.")
    (row,) = checkins(ui)
    assert (row.id, row.response, row.responded_by) == (checkin.id, "on_track", LEAD)
    clock.advance(hours=30)  # past the reminder delay: no reminder for an answered check-in
    assert checkin_jobs.run_due(runtime(ui, clock)).sent == 0


class UpdateWhilePacing(TokenBucket):
    """The rate limiter's wait before a DM, used to land an ``/advisor update`` while that
    DM is on its way (claimed, not yet sent): the interleaving made deterministic."""

    def __init__(self, during_wait: Callable[[], object]) -> None:
        super().__init__(per_second=1000, burst=10)
        self.during_wait: Callable[[], object] | None = during_wait

    def acquire(self) -> float:
        if self.during_wait is not None:
            self.during_wait, work = None, self.during_wait
            work()
        return super().acquire()


def test_an_update_between_planning_and_sending_is_counted_not_asked(
    ui_db: Running, clock: FakeClock
) -> None:
    """Regression: the plan read pending updates, so an update landing after it (while DMs
    were paced out) let the DM ask anyway and stayed pending, and the NEXT period was then
    skipped with the stale status. Now the claim finds it: counted, no DM."""
    ui = ui_db
    group = seed_group(ui)
    commitment = owned_commitment(ui, group)
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # Monday's check-in is due
    rt = runtime(ui, clock)
    plan = rt.db(lambda s: plan_due(s, now=clock(), policy=rt.policy), what="plan")
    assert [d.commitment_id for d in plan.checkins] == [commitment.id] and plan.counted == []
    said = command(ui, f'update {commitment.id} at-risk "vendor is late"')
    assert said.endswith("Your next check-in will count it instead of asking.")
    report = SendReport()
    (due,) = plan.checkins
    send_checkin(
        rt, due, commitment=plan.commitments[due.commitment_id], group=group, report=report
    )
    assert (report.sent, report.counted) == (0, 1) and dms_to(ui, OWNER) == []
    (row,) = checkins(ui)
    assert (row.period, row.response, row.note, row.sent_at) == (
        "2026-03-09T09:00",
        "at_risk",
        "vendor is late",
        None,
    )
    with ui.services.session() as session:
        (update,) = session.exec(select(StatusUpdate)).all()
        assert update.checkin_id == row.id
    clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))  # the next period asks: nothing stale
    assert checkin_jobs.run_due(runtime(ui, clock)).sent == 1
    assert len(dms_to(ui, OWNER)) == 1
    assert [c.response for c in checkins(ui)] == ["at_risk", None]


def test_an_update_while_the_dm_is_on_its_way_answers_that_checkin(
    ui_db: Running, clock: FakeClock
) -> None:
    """The update lands after the claim, before the DM is recorded as sent: it answers this
    period's check-in (no reminder follows) rather than waiting to skip the next one."""
    ui = ui_db
    group = seed_group(ui)
    commitment = owned_commitment(ui, group)
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    replies: list[str] = []
    limiter = UpdateWhilePacing(
        lambda: replies.append(command(ui, f'update {commitment.id} blocked "no budget"'))
    )
    rt = replace(runtime(ui, clock), post_limiter=limiter)
    report = checkin_jobs.run_due(rt)
    (said,) = replies
    assert said.startswith(f"Recorded *:red_circle: blocked* for #{commitment.id}")
    assert said.endswith("It answers the check-in I sent you.")
    assert (report.sent, report.counted) == (1, 0) and len(dms_to(ui, OWNER)) == 1
    (row,) = checkins(ui)
    assert (row.period, row.response, row.responded_by) == ("2026-03-09T09:00", "blocked", OWNER)
    assert row.sent_at is not None  # the DM went out and was recorded on the answered row
    with ui.services.session() as session:
        (update,) = session.exec(select(StatusUpdate)).all()
        assert update.checkin_id == row.id
    clock.advance(hours=30)  # past the reminder delay: answered, so no reminder
    assert checkin_jobs.run_due(runtime(ui, clock)).sent == 0
    clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))  # the next period is asked as usual
    assert checkin_jobs.run_due(runtime(ui, clock)).sent == 1


def test_an_update_leaves_a_stale_checkin_of_an_earlier_period_alone(
    ui_db: Running, clock: FakeClock
) -> None:
    """Regression: an update answered the latest unanswered check-in even from weeks ago.
    Now only the current period's check-in is answered; otherwise the update waits."""
    ui = ui_db
    group = seed_group(ui)
    commitment, stale = seed_checkin(ui, group)  # period 2026-03-02, sent, unanswered
    clock.set(datetime(2026, 3, 9, 9, 5, tzinfo=UTC))  # Monday's fire, not yet swept
    said = command(ui, f"update {commitment.id} on-track")
    assert said.endswith("Your next check-in will count it instead of asking.")
    assert checkin_row(ui, saved_id(stale)).response is None
    report = checkin_jobs.run_due(runtime(ui, clock))
    assert report.counted == 1
    periods = {c.period: c.response for c in checkins(ui)}
    assert periods == {"2026-03-02T09:00": None, "2026-03-09T09:00": "on_track"}


# --- history ----------------------------------------------------------------------------------


def test_commitments_all_shows_past_commitments_with_their_trail(
    ui_db: Running, clock: FakeClock
) -> None:
    ui = ui_db
    group = seed_group(ui)
    commitment = owned_commitment(ui, group)
    command(ui, f'update {commitment.id} at-risk "vendor is late"')
    clock.advance(days=1)
    command(ui, f"update {commitment.id} on-track")
    clock.advance(days=1)
    command(ui, f"done {commitment.id}")
    assert command(ui, "commitments").startswith("You have no open commitments.")
    history = command(ui, "commitments --all")
    assert history.startswith("*All your commitments, with their status trail*")
    assert f"`#{commitment.id}` *Draft the camera policy* · privacy · due" in history
    assert (
        "2026-03-04 :large_yellow_circle: at risk (update): vendor is late → "
        "2026-03-05 :large_green_circle: on track (update) → 2026-03-06 done"
    ) in history


# --- advice to action -------------------------------------------------------------------------


def test_a_commitment_from_an_answer_keeps_its_citations_and_its_checkin_links_them(
    ui_db: Running, clock: FakeClock
) -> None:
    ui = ui_db
    seed_group(ui)
    ui.sender.command(
        command="/advisor",
        text="how do we share data?",
        user_id=OWNER,
        channel_id="CGENERAL",
        response_url=ui.slack_api.response_url("ans"),
        trigger_id="1.2.3",
        team_id="T0000001",
    )
    answer = ui.slack_api.wait_for("response:ans")[0].params
    (button,) = [e for e in answer["blocks"][-1]["elements"] if e["action_id"] == MAKE_COMMITMENT]
    click = block_action(
        MAKE_COMMITMENT, button["value"], response_url=ui.slack_api.response_url("k"), user=OWNER
    )
    assert ui.sender.interaction(click)[0] == 200
    view = ui.slack_api.wait_for("views.open")[0].params["view"]
    values = {
        "title": {"title_input": {"value": "Draft the agreement with the city attorney"}},
        "group": {"group_select": {"selected_option": {"value": "1"}}},
        "owner": {"owner_select": {"selected_user": OWNER}},
        "due": {"due_picker": {"selected_date": "2026-04-01"}},
    }
    assert view["callback_id"] == modals.COMMITMENT_CALLBACK
    assert ui.sender.interaction(view_submission(view, values, user=OWNER))[0] == 200
    with ui.services.session() as session:
        (made,) = session.exec(select(Commitment)).all()
    assert made.citations[0] == {
        "title": "Data sharing",
        "section": "Agreements",
        "path": "data-sharing.md",
    }
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    checkin_jobs.run_due(runtime(ui, clock))
    (plain,) = dms_to(ui, OWNER)
    assert "From the playbooks: data-sharing.md › Agreements" in str(plain["text"])
    clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    checkin_jobs.run_due(runtime(ui, clock, playbooks_url="https://git.example.org/pb"))
    linked = dms_to(ui, OWNER)[-1]
    assert (
        "From the playbooks: <https://git.example.org/pb/data-sharing.md#agreements|"
        "Data sharing › Agreements>"
    ) in str(linked["text"])
    assert made.due_date == date(2026, 4, 1)
