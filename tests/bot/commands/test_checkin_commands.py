"""``/advisor group …``, ``commit``, ``commitments`` and ``done`` as signed slash commands."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from bot.blocks import modals
from bot.blocks.checkins import GROUP_CALLBACK
from bot.followup import jobs as checkin_jobs
from bot.followup.send import CheckinRuntime
from bot.slack import messages as msg
from checkins.due import DuePolicy
from storage.models import Commitment, Membership, WorkingGroup
from tests.bot.conftest import Running
from tests.bot.ui import (
    ADMIN,
    LEAD,
    OWNER,
    STRANGER,
    command,
    seed_group,
)
from tests.fakes.clock import FakeClock
from tests.fakes.slack_requests import view_submission


def groups(ui: Running) -> list[WorkingGroup]:
    with ui.services.session() as session:
        return list(session.exec(select(WorkingGroup)).all())


def commitments(ui: Running) -> list[Commitment]:
    with ui.services.session() as session:
        return list(session.exec(select(Commitment)).all())


# --- groups ---------------------------------------------------------------------------------


def test_group_create_with_channel_timezone_and_schedule(ui: Running) -> None:
    text = command(
        ui,
        'group create Privacy WG <#CPRIV0001|privacy> tz America/Los_Angeles checkins "mon,thu 09:30"',
        user=LEAD,
    )
    assert "Created working group *Privacy WG*" in text and "<#CPRIV0001>" in text
    (group,) = groups(ui)
    assert (group.channel_id, group.lead_user_id, group.timezone, group.checkin_schedule) == (
        "CPRIV0001",
        LEAD,
        "America/Los_Angeles",
        "mon,thu 09:30",
    )
    assert ui.slack_api.calls_to("conversations.info")[0].params["channel"] == "CPRIV0001"


def test_group_create_defaults_to_the_current_channel(ui: Running) -> None:
    command(ui, "group create Mobility", user=LEAD, channel="CMOBILITY")
    assert [(g.name, g.channel_id) for g in groups(ui)] == [("Mobility", "CMOBILITY")]


def test_group_create_refuses_bad_timezone_cron_and_duplicate(ui: Running) -> None:
    assert "not a timezone name" in command(ui, "group create A tz Mars/Olympus", user=LEAD)
    never = command(ui, 'group create B checkins "0 0 31 2 *"', user=LEAD)
    assert "never fires" in never
    assert groups(ui) == []
    command(ui, "group create Privacy", user=LEAD, channel="CPRIV0001")
    assert "already exists" in command(ui, "group create Privacy", user=LEAD, channel="CX0000001")
    assert len(groups(ui)) == 1


def test_group_create_with_a_300_character_name_says_what_the_limit_is(ui: Running) -> None:
    text = command(ui, "group create " + "n" * 300, user=LEAD)
    assert "300 characters long" in text and "the limit is 80" in text
    assert not text.startswith("Usage")
    assert groups(ui) == []


def test_group_create_refuses_an_archived_channel(ui: Running) -> None:
    ui.slack_api.add_channel("CARCHIVE1", is_archived=True)
    text = command(ui, "group create Old <#CARCHIVE1|old-wg>", user=LEAD)
    assert "is archived" in text
    assert groups(ui) == []


def test_group_create_without_a_name_opens_the_form(ui: Running) -> None:
    text = command(ui, "group create", user=LEAD, channel="CPRIV0001")
    assert "Usage: `/advisor group create" in text
    view = ui.slack_api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == GROUP_CALLBACK
    values = {
        "group_name": {"group_name_input": {"value": "Privacy"}},
        "group_channel": {"group_channel_select": {"selected_conversation": "CPRIV0001"}},
        "group_timezone": {"group_timezone_input": {"value": "Europe/Nowhere"}},
        "group_schedule": {"group_schedule_input": {"value": "mon 09:00"}},
    }
    status, body = ui.sender.interaction(view_submission(view, values, user=LEAD))
    assert status == 200 and '"group_timezone"' in body  # a field error, nothing stored
    assert groups(ui) == []
    values["group_timezone"] = {"group_timezone_input": {"value": "Europe/Berlin"}}
    status, body = ui.sender.interaction(view_submission(view, values, user=LEAD))
    assert status == 200 and "Created working group" in body
    assert [(g.name, g.timezone, g.lead_user_id) for g in groups(ui)] == [
        ("Privacy", "Europe/Berlin", LEAD)
    ]


def test_group_join_list_leave(ui: Running) -> None:
    seed_group(ui, name="Privacy WG")
    assert "joined *Privacy WG*" in command(ui, "group join privacy wg", user=STRANGER)
    assert "already in" in command(ui, "group join Privacy WG", user=STRANGER)
    listing = command(ui, "group list", user=STRANGER)
    assert "*Privacy WG*" in listing and "3 members" in listing and "you are in it" in listing
    # Next check-in and digest on the group's clock (the fake clock says Wednesday).
    assert "next check-in Mon 9 Mar 09:00 UTC · next digest Fri 6 Mar 15:00 UTC" in listing
    assert "left *Privacy WG*" in command(ui, "group leave Privacy WG", user=STRANGER)
    assert "cannot leave" in command(ui, "group leave Privacy WG", user=LEAD)
    assert "no working group called *Nope*" in command(ui, "group join Nope")
    with ui.services.session() as session:
        members = {m.user_id for m in session.exec(select(Membership)).all()}
    assert members == {LEAD, OWNER}


def test_group_schedule_by_lead_only(ui: Running) -> None:
    seed_group(ui, name="Privacy")
    denied = command(ui, 'group schedule Privacy "tue 10:00"', user=STRANGER)
    assert denied == "Only the group lead or an admin can change *Privacy*."
    assert groups(ui)[0].checkin_schedule == "mon 09:00"
    bad = command(ui, 'group schedule Privacy "0 0 30 2 *"', user=LEAD)
    assert "never fires" in bad
    done = command(ui, 'group schedule Privacy "tue 10:00" tz Europe/Paris', user=LEAD)
    assert "now checks in `tue 10:00` (Europe/Paris)" in done
    assert "Next: Tue 10 Mar 10:00 Europe/Paris." in done
    (group,) = groups(ui)
    assert (group.checkin_schedule, group.timezone) == ("tue 10:00", "Europe/Paris")
    assert "Put the schedule in quotes" in command(ui, "group schedule Privacy tue", user=LEAD)


def test_group_delete_is_for_admins_only(ui: Running) -> None:
    seed_group(ui, name="Privacy")
    denied = command(ui, "group delete Privacy", user=LEAD)
    assert denied == "Only admins can delete working groups. Nothing was changed."
    assert len(groups(ui)) == 1
    assert "Deleted working group *Privacy*" in command(ui, "group delete Privacy", user=ADMIN)
    assert groups(ui) == []


def test_group_list_flags_a_channel_archived_after_creation(ui: Running, clock: FakeClock) -> None:
    seed_group(ui, name="Privacy")
    ui.slack_api.add_channel("CPRIV0001", is_archived=True)
    clock.set(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))  # the Friday digest
    services = ui.services
    runtime = CheckinRuntime(services.sessions, services.slack, clock, DuePolicy())
    report = checkin_jobs.run_due(runtime)
    assert report.problems == ["is_archived"]
    listing = command(ui, "group list")
    assert ":warning: channel problem: `is_archived`" in listing


def test_unknown_group_action_gets_the_usage_line(ui: Running) -> None:
    assert command(ui, "group frobnicate").startswith("Usage: `/advisor group create")
    assert command(ui, "group join").startswith("Usage: `/advisor group join <name>`")


# --- commitments ------------------------------------------------------------------------------


def test_commit_with_iso_date_owner_mention_and_group_name(ui: Running) -> None:
    seed_group(ui, name="privacy")
    ui.slack_api.add_user("UMARIA001")
    text = command(
        ui, 'commit "Draft the camera policy" due 2026-12-15 <@UMARIA001|maria> #privacy'
    )
    assert text.startswith("Commitment #1 created for <@UMARIA001>, due 2026-12-15")
    (row,) = commitments(ui)
    assert (row.owner_user_id, row.created_by, row.title, row.due_date) == (
        "UMARIA001",
        OWNER,
        "Draft the camera policy",
        date(2026, 12, 15),
    )
    (dm,) = [c.params for c in ui.slack_api.calls_to("chat.postMessage")]
    assert dm["channel"] == "UMARIA001"
    assert dm["text"].startswith(f"<@{OWNER}> added a commitment for you in *privacy*")


def test_own_commitment_sends_no_notification(ui: Running) -> None:
    seed_group(ui, name="privacy")
    command(ui, 'commit "Book the kickoff" due next friday')
    assert ui.slack_api.calls_to("chat.postMessage") == []


def test_commit_relative_dates_in_the_callers_only_group(ui: Running) -> None:
    seed_group(ui, name="privacy")
    command(ui, 'commit "Book the kickoff" due next friday')
    command(ui, "commit “Consult the board” due in 2 weeks")
    dues = sorted((c.title, c.due_date, c.owner_user_id) for c in commitments(ui))
    assert dues == [
        ("Book the kickoff", date(2026, 3, 6), OWNER),
        ("Consult the board", date(2026, 3, 18), OWNER),
    ]


def test_commit_by_channel_reference(ui: Running) -> None:
    seed_group(ui, name="privacy")
    command(ui, 'commit "Ask legal" due 2026-05-01 <#CPRIV0001|privacy>', user=STRANGER)
    assert [c.owner_user_id for c in commitments(ui)] == [STRANGER]


def test_commit_names_a_group_with_spaces_by_its_hyphenated_name(ui: Running) -> None:
    seed_group(ui, name="Privacy WG")
    assert "Commitment #1 created" in command(ui, 'commit "Ask legal" due friday #privacy-wg')


def test_commit_bad_input_is_refused_and_nothing_is_stored(ui: Running) -> None:
    seed_group(ui, name="privacy")
    ui.slack_api.add_user("UDELETED1", deleted=True)
    cases = {
        'commit "X" due 2026-01-01': "is in the past",
        'commit "X" due 12/11/2026': "ambiguous",
        'commit "X" due someday': "could not read",
        'commit "X" due friday #nosuch': "no working group called *nosuch*",
        'commit "X" due friday <@UGONE0001|gone>': "<@UGONE0001> is no longer in this workspace",
        'commit "X" due friday <@UDELETED1|del>': "<@UDELETED1> is no longer in this workspace",
        'commit "X" due friday @maria': "not from typed text",
        'commit "X" friday': "Usage: `/advisor commit",
    }
    for text, expected in cases.items():
        assert expected in command(ui, text), text
    assert commitments(ui) == []


def test_commit_outside_any_group_asks_which(ui: Running) -> None:
    seed_group(ui, name="privacy")
    assert "not in a working group" in command(ui, 'commit "X" due friday', user=STRANGER)


def test_commit_with_nothing_shows_usage_and_opens_the_shared_form(ui: Running) -> None:
    group = seed_group(ui, name="privacy")
    text = command(ui, "commit")
    assert 'Usage: `/advisor commit "<title>" due <date> [@owner] [#group]`' in text
    view = ui.slack_api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == modals.COMMITMENT_CALLBACK
    group_input = next(b for b in view["blocks"] if b["block_id"] == "group")
    assert group_input["element"]["initial_option"]["value"] == str(group.id)


def test_commitments_lists_mine_only(ui: Running) -> None:
    seed_group(ui, name="privacy")
    command(ui, 'commit "Mine <b>" due 2026-04-01')
    command(ui, 'commit "Theirs" due 2026-04-01 #privacy', user=LEAD)
    text = command(ui, "commitments")
    assert "`#1` *Mine &lt;b&gt;* · privacy · due 2026-04-01" in text and "Theirs" not in text
    assert "no open commitments" in command(ui, "commitments", user=STRANGER)


def test_done_by_owner_and_refused_for_a_stranger(ui: Running) -> None:
    seed_group(ui, name="privacy")
    command(ui, 'commit "Draft" due 2026-04-01')
    denied = command(ui, "done 1", user=STRANGER)
    assert denied == "Only the owner, the group lead or an admin can change commitment #1."
    assert commitments(ui)[0].status == "open"
    assert "Marked #1 done" in command(ui, "done #1")
    assert commitments(ui)[0].status == "done"
    assert "already done" in command(ui, "done 1")
    assert "no commitment #9" in command(ui, "done 9", user=ADMIN)
    assert command(ui, "done soon").startswith("Usage: `/advisor done <id>`")


def test_done_tells_a_stranger_nothing_about_the_commitment(ui: Running) -> None:
    """The refusal comes before any status: a closed #1 and a missing #9 look the same."""
    seed_group(ui, name="privacy")
    command(ui, 'commit "Draft" due 2026-04-01')
    assert "Marked #1 done" in command(ui, "done 1")
    closed = command(ui, "done 1", user=STRANGER)
    missing = command(ui, "done 9", user=STRANGER)
    assert closed == "Only the owner, the group lead or an admin can change commitment #1."
    assert missing == "Only the owner, the group lead or an admin can change commitment #9."


def test_done_by_the_group_lead(ui: Running) -> None:
    seed_group(ui, name="privacy")
    command(ui, 'commit "Draft" due 2026-04-01')
    assert "Marked #1 done" in command(ui, "done 1", user=LEAD)


# --- failures after the ack ---------------------------------------------------------------------


def test_an_unexpected_database_error_still_gets_a_private_reply(ui_db: Running, caplog) -> None:
    """Not a refusal, not a usage error: the caller still hears back, the log has no text."""
    seed_group(ui_db, name="privacy")
    command(ui_db, 'commit "Secret <camera> plan" due 2026-04-01')
    with ui_db.services.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE status_update")  # it refers to check_in
        connection.exec_driver_sql("DROP TABLE check_in")
        connection.exec_driver_sql("DROP TABLE membership")
    with caplog.at_level("WARNING"):
        assert command(ui_db, "commitments") == msg.FAILED
        assert command(ui_db, "group list") == msg.FAILED
    assert "command commitments failed:" in caplog.text
    assert "command group failed:" in caplog.text
    for leaked in ("Secret", "check_in", "membership", "no such table", "does not exist"):
        assert leaked not in caplog.text, leaked
