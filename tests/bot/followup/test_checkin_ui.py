"""Check-in DM buttons, the Blocked form, snooze and App Home, as signed Slack requests."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime

from sqlmodel import select

from bot.blocks import modals
from bot.blocks.checkin_messages import (
    ACTION_AT_RISK,
    ACTION_BLOCKED,
    ACTION_DONE,
    ACTION_ON_TRACK,
    ACTION_SNOOZE,
)
from bot.blocks.checkins import BLOCKED_CALLBACK
from storage.models import CheckIn, Commitment
from tests.bot.conftest import Running
from tests.bot.ui import (
    ADMIN,
    DM_TS,
    LEAD,
    OWNER,
    STRANGER,
    checkin_row,
    click,
    command,
    seed_checkin,
    seed_group,
)
from tests.fakes.clock import FakeClock
from tests.fakes.slack_requests import block_action, event_callback, view_submission


def test_on_track_updates_the_dm_and_a_second_click_is_already_answered(ui: Running) -> None:
    _commitment, checkin = seed_checkin(ui, seed_group(ui))
    click(ui, ACTION_ON_TRACK, checkin.id)
    update = ui.slack_api.wait_for("chat.update")[0].params
    assert (update["channel"], update["ts"]) == ("DOWNER001", DM_TS)
    shown = json.dumps(update["blocks"])
    assert "on track" in shown and f"<@{OWNER}>" in shown and "&lt;camera&gt;" in shown
    assert "actions" not in [b["type"] for b in update["blocks"]]  # no buttons left
    second = click(ui, ACTION_AT_RISK, checkin.id)
    note = ui.slack_api.wait_for(second)[0].params
    assert "already answered" in note["text"] and note["response_type"] == "ephemeral"
    row = checkin_row(ui, checkin.id)
    assert (row.response, row.responded_by) == ("on_track", OWNER)


def test_a_stranger_cannot_answer_and_nothing_changes(ui: Running) -> None:
    _commitment, checkin = seed_checkin(ui, seed_group(ui))
    reply = ui.slack_api.wait_for(click(ui, ACTION_DONE, checkin.id, user=STRANGER))[0].params
    assert reply["text"] == "Only the owner, the group lead or an admin can answer this check-in."
    assert checkin_row(ui, checkin.id).response is None
    assert ui.slack_api.calls_to("chat.update") == []
    blocked = click(ui, ACTION_BLOCKED, checkin.id, user=STRANGER)
    assert "Only the owner" in ui.slack_api.wait_for(blocked)[0].params["text"]
    assert ui.slack_api.calls_to("views.open") == []


def test_the_group_lead_and_an_admin_may_answer(ui: Running) -> None:
    group = seed_group(ui)
    _c, first = seed_checkin(ui, group)
    click(ui, ACTION_AT_RISK, first.id, user=LEAD)
    ui.slack_api.wait_for("chat.update")
    assert checkin_row(ui, first.id).responded_by == LEAD
    _c, second = seed_checkin(ui, group)
    click(ui, ACTION_DONE, second.id, user=ADMIN)
    ui.slack_api.wait_for("chat.update", 2)
    assert checkin_row(ui, second.id).responded_by == ADMIN


def test_two_simultaneous_done_clicks_record_one_response(ui_db: Running) -> None:
    ui = ui_db
    commitment, checkin = seed_checkin(ui, seed_group(ui))
    url = ui.slack_api.response_url("race")
    payload = block_action(
        ACTION_DONE,
        str(checkin.id),
        response_url=url,
        user=OWNER,
        channel="DOWNER001",
        message_ts=DM_TS,
    )
    gate = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        gate.wait()
        statuses.append(ui.sender.interaction(payload)[0])

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    refused = ui.slack_api.wait_for("response:race")[0].params
    assert "already answered (:white_check_mark: done)" in refused["text"]
    ui.slack_api.wait_for("chat.update")
    assert len(ui.slack_api.calls_to("response:race")) == 1
    assert len(ui.slack_api.calls_to("chat.update")) == 1
    with ui.services.session() as session:
        answered = session.exec(select(CheckIn).where(CheckIn.response.is_not(None))).all()
        done = session.get(Commitment, commitment.id)
    assert [(c.response, c.responded_by) for c in answered] == [("done", OWNER)]
    assert done is not None and done.status == "done"


def test_blocked_opens_a_form_and_stores_the_note(ui: Running) -> None:
    _commitment, checkin = seed_checkin(ui, seed_group(ui))
    click(ui, ACTION_BLOCKED, checkin.id)
    view = ui.slack_api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == BLOCKED_CALLBACK
    values = {
        "blocking": {"blocking_input": {"value": "Waiting for <legal> sign-off"}},
        "helpers": {"helpers_input": {"value": "the city attorney's office"}},
    }
    status, body = ui.sender.interaction(view_submission(view, values, user=OWNER))
    assert status == 200 and json.loads(body)["response_action"] == "update"
    row = checkin_row(ui, checkin.id)
    assert row.response == "blocked" and row.responded_by == OWNER
    assert row.note == "Waiting for <legal> sign-off\nWho could help: the city attorney's office"
    update = ui.slack_api.wait_for("chat.update")[0].params
    assert "Waiting for &lt;legal&gt; sign-off" in json.dumps(update["blocks"])
    again = click(ui, ACTION_BLOCKED, checkin.id)
    assert "already answered" in ui.slack_api.wait_for(again)[0].params["text"]
    assert len(ui.slack_api.calls_to("views.open")) == 1


def test_snooze_once_then_refused(ui: Running) -> None:
    _commitment, checkin = seed_checkin(ui, seed_group(ui))
    denied = click(ui, ACTION_SNOOZE, checkin.id, user=STRANGER)
    assert "Only the owner can snooze" in ui.slack_api.wait_for(denied)[0].params["text"]
    first = click(ui, ACTION_SNOOZE, checkin.id)
    assert "Snoozed" in ui.slack_api.wait_for(first)[0].params["text"]
    row = checkin_row(ui, checkin.id)
    assert row.snooze_used and row.snoozed_until is not None
    second = click(ui, ACTION_SNOOZE, checkin.id)
    assert "only once" in ui.slack_api.wait_for(second)[0].params["text"]
    assert checkin_row(ui, checkin.id).snoozed_until == row.snoozed_until


def test_a_deleted_checkin_says_so(ui: Running) -> None:
    reply = ui.slack_api.wait_for(click(ui, ACTION_DONE, 999))[0].params
    assert "no longer exists" in reply["text"]


def test_app_home_shows_my_commitments_and_next_checkins(ui: Running) -> None:
    seed_group(ui, name="privacy", timezone="America/Los_Angeles")
    command(ui, 'commit "Draft the <camera> policy" due next friday')
    event = {"type": "app_home_opened", "user": OWNER, "channel": "D1", "tab": "home"}
    ui.sender.event(event_callback(event))
    view = json.dumps(ui.slack_api.wait_for("views.publish")[0].params["view"])
    assert "Your open commitments" in view
    assert "*Draft the &lt;camera&gt; policy* \\u00b7 privacy \\u00b7 due 2026-03-06" in view
    assert "Your groups: next check-ins and digests" in view
    assert "next check-in Mon 9 Mar 09:00 America/Los_Angeles" in view
    assert "(you own 1 open commitment)" in view
    assert "next digest Fri 6 Mar 15:00 America/Los_Angeles" in view
    assert "Your recent questions" in view


def test_app_home_without_commitments(ui: Running) -> None:
    event = {"type": "app_home_opened", "user": STRANGER, "channel": "D1", "tab": "home"}
    ui.sender.event(event_callback(event))
    view = json.dumps(ui.slack_api.wait_for("views.publish")[0].params["view"])
    assert "No open commitments" in view and "No check-ins coming" in view


def test_commitment_form_reads_today_in_the_groups_timezone(ui: Running, clock: FakeClock) -> None:
    """03:00 UTC on 10 March is still 9 March in Los Angeles: that date is today, not past."""
    clock.set(datetime(2026, 3, 10, 3, 0, tzinfo=UTC))
    group = seed_group(ui, name="la-wg", timezone="America/Los_Angeles")
    view = {"callback_id": modals.COMMITMENT_CALLBACK, "private_metadata": "{}"}
    values = {
        "title": {"title_input": {"value": "Draft the policy"}},
        "group": {"group_select": {"selected_option": {"value": str(group.id)}}},
        "owner": {"owner_select": {"selected_user": OWNER}},
        "due": {"due_picker": {"selected_date": "2026-03-09"}},
    }
    status, body = ui.sender.interaction(view_submission(view, values, user=OWNER))
    assert status == 200 and json.loads(body)["response_action"] == "update", body
    with ui.services.session() as session:
        (row,) = session.exec(select(Commitment).where(Commitment.group_id == group.id)).all()
    assert row.due_date == date(2026, 3, 9)
