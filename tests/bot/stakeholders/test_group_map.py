"""Issue 14: a group's topic, whom members represent, and who is missing from the table,
through signed slash commands, the picker form and App Home, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial

from sqlmodel import select

from bot.blocks.stakeholders import ROLE_CALLBACK, ROLE_PICK
from bot.followup import jobs as checkin_jobs
from bot.followup.send import CheckinRuntime
from bot.stakeholders.mapping import missing_labels
from checkins.due import DuePolicy
from storage.models import Membership, WorkingGroup
from tests.bot.conftest import Running
from tests.bot.ui import ADMIN, LEAD, OWNER, STRANGER, command
from tests.fakes.clock import FakeClock
from tests.fakes.slack_requests import event_callback, view_submission

CREATE = 'group create privacy <#CPRIV0001|privacy> topic "camera footage retention"'
PD, IT, RESIDENT = "UPOLICE01", "UDOIT0001", "URESIDE01"


def missing_part(text: str) -> str:
    """The lines of a map after "Missing:" (the missing parties and their motives)."""
    return text.split("*Missing:*", 1)[1] if "*Missing:*" in text else ""


def roles(ui: Running) -> dict[str, str | None]:
    with ui.services.session() as session:
        return {m.user_id: m.stakeholder for m in session.exec(select(Membership)).all()}


def test_the_map_on_creation_shrinks_as_members_join_under_aliases(mapped: Running) -> None:
    created = command(mapped, CREATE, user=LEAD)
    assert "Created working group *privacy*" in created
    assert "*Who is at the table for _camera footage retention_*" in created
    assert "*Represented:* nobody on the map yet" in created
    missing = missing_part(created)
    for label in ("Police department", "IT department", "City attorney", "Records management"):
        assert f"*{label}*" in missing
    # Motives are quoted from the playbook, with the section cited and linked.
    assert (
        "*City attorney*: worries about destroying footage that must be preserved. [1]" in missing
    )
    assert (
        "[1] <https://git.example.org/city/playbooks/-/blob/main/playbooks/guides/"
        "camera-footage-retention.md#why-this-fight-happens|Camera footage retention › "
        "Why this fight happens>"
    ) in created
    # A party only an unrelated playbook names is not on this topic's map.
    assert "Utilities" not in created and "City council" not in created

    first = command(mapped, "group join privacy as PD", user=PD)
    assert first.startswith("You represent *Police department* in *privacy*.")
    assert f"*Represented:* Police department (<@{PD}>)" in first
    assert "*Police department*" not in missing_part(first)
    command(mapped, "group join privacy as DoIT", user=IT)
    last = command(mapped, "group join privacy as the public", user=RESIDENT)
    assert f"Residents (<@{RESIDENT}>)" in last and f"IT department (<@{IT}>)" in last
    still = missing_part(last)
    assert "*City attorney*" in still and "*Records management*" in still
    assert "*Residents*" not in still and "*IT department*" not in still
    assert roles(mapped) == {LEAD: None, PD: "police", IT: "it", RESIDENT: "residents"}

    shown = command(mapped, "group show privacy", user=STRANGER)
    assert missing_part(shown) == still
    assert f"Not yet said whom they represent:_ <@{LEAD}>" in shown


def test_an_unknown_role_is_refused_with_the_valid_ones(mapped: Running) -> None:
    command(mapped, CREATE, user=LEAD)
    refused = command(mapped, "group join privacy as mayor", user=PD)
    assert refused.startswith("*mayor* is not a stakeholder I know. Pick one of: ")
    assert "`police` (Police department)" in refused
    assert "`records-management` (Records management)" in refused
    assert PD not in roles(mapped)  # nothing was stored, not even the membership
    command(mapped, "group create Data as a service <#CDATA0001|data>", user=LEAD)
    assert command(mapped, "group join Data as a service", user=PD).startswith("You joined")


def test_lead_or_admin_set_anyones_role_others_may_not(mapped: Running) -> None:
    command(mapped, CREATE, user=LEAD)
    denied = command(mapped, f"group role privacy <@{PD}|pd> legal", user=STRANGER)
    assert denied == "Only the group lead or an admin can set someone else's role in *privacy*."
    assert PD not in roles(mapped)
    by_lead = command(mapped, f"group role privacy <@{PD}|pd> legal", user=LEAD)
    assert by_lead.startswith(f"<@{PD}> now represents *City attorney* in *privacy*.")
    command(mapped, f"group role privacy <@{PD}|pd> PD", user=ADMIN)
    assert roles(mapped)[PD] == "police"


def test_the_picker_form_records_the_role(mapped: Running) -> None:
    command(mapped, CREATE, user=LEAD)
    opened = command(mapped, "group join privacy as", user=OWNER)
    assert opened.startswith("I opened a form for this.")
    view = mapped.slack_api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == ROLE_CALLBACK
    options = view["blocks"][-1]["element"]["options"]
    assert {"records-management", "city-attorney", "police"} <= {o["value"] for o in options}
    block_id, action_id = ROLE_PICK
    values = {block_id: {action_id: {"selected_option": {"value": "records-management"}}}}
    status, body = mapped.sender.interaction(view_submission(view, values, user=OWNER))
    assert status == 200 and "You represent *Records management* in *privacy*." in body
    assert roles(mapped)[OWNER] == "records-management"


def test_topic_changes_redraw_the_map_and_no_topic_says_so(mapped: Running) -> None:
    command(mapped, "group create privacy <#CPRIV0001|privacy>", user=LEAD)
    shown = command(mapped, "group show privacy", user=LEAD)
    assert "No stakeholder map yet: the group has no topic." in shown
    denied = command(mapped, 'group topic privacy "bike lane budgets"', user=STRANGER)
    assert denied == "Only the group lead or an admin can change *privacy*."
    changed = command(mapped, 'group topic privacy "bike lane budgets"', user=LEAD)
    assert changed.startswith("*privacy* is now about: _bike lane budgets_.")
    assert "*Utilities*" in missing_part(changed) and "City attorney" not in changed
    nothing = command(mapped, 'group topic privacy "zzqx flurb"', user=LEAD)
    assert "The playbooks have nothing on _zzqx flurb_" in nothing
    assert "*Missing:*" not in nothing
    with mapped.services.session() as session:
        (group,) = session.exec(select(WorkingGroup)).all()
    assert group.topic == "zzqx flurb"


def test_the_digest_and_the_leads_app_home_show_who_is_missing(
    mapped: Running, clock: FakeClock
) -> None:
    command(mapped, CREATE, user=LEAD)
    for user, party in ((PD, "police"), (IT, "it"), (RESIDENT, "residents")):
        command(mapped, f"group join privacy as {party}", user=user)
    services = mapped.services
    runtime = CheckinRuntime(
        services.sessions,
        services.slack,
        clock,
        DuePolicy(),
        missing_stakeholders=partial(missing_labels, services),
    )
    clock.set(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))  # the Friday digest
    checkin_jobs.run_due(runtime)
    (digest,) = [c.params for c in mapped.slack_api.calls_to("chat.postMessage")]
    assert digest["channel"] == "CPRIV0001"
    text = json.dumps(digest["blocks"])
    assert "Still missing from the table: City attorney, Records management" in text

    mapped.sender.event(event_callback({"type": "app_home_opened", "user": LEAD, "tab": "home"}))
    home = json.dumps(mapped.slack_api.wait_for("views.publish")[0].params["view"])
    assert "Stakeholder maps of the groups you lead" in home
    assert "worries about destroying footage that must be preserved." in home
    mapped.slack_api.reset()
    mapped.sender.event(event_callback({"type": "app_home_opened", "user": PD, "tab": "home"}))
    member_home = json.dumps(mapped.slack_api.wait_for("views.publish")[0].params["view"])
    assert "Stakeholder maps" not in member_home


def test_the_new_group_form_takes_a_topic_and_answers_with_the_map(mapped: Running) -> None:
    command(mapped, "group create", user=LEAD, channel="CPRIV0001")
    view = mapped.slack_api.wait_for("views.open")[0].params["view"]
    values = {
        "group_name": {"group_name_input": {"value": "privacy"}},
        "group_channel": {"group_channel_select": {"selected_conversation": "CPRIV0001"}},
        "group_timezone": {"group_timezone_input": {"value": "UTC"}},
        "group_schedule": {"group_schedule_input": {"value": "mon 09:00"}},
        "group_topic": {"group_topic_input": {"value": "camera footage retention"}},
    }
    status, body = mapped.sender.interaction(view_submission(view, values, user=LEAD))
    assert status == 200 and "Created working group" in body
    assert "worries about destroying footage that must be preserved." in body
    with mapped.services.session() as session:
        (group,) = session.exec(select(WorkingGroup)).all()
    assert group.topic == "camera footage retention"
