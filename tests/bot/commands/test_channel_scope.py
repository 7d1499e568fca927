"""Per-channel scope (issue 13): ``/advisor channel …`` as signed slash commands, and the
filters it sets applied to mentions, thread follow-ups and ``/advisor`` questions."""

from __future__ import annotations

import json
import time

from bot.slack import messages as msg
from retrieval.models import Filters
from tests.bot.conftest import Running
from tests.bot.slack.test_http_events import answers_in
from tests.bot.ui import ADMIN, OWNER, command
from tests.fakes.slack_api import TEAM_ID
from tests.fakes.slack_requests import event_callback, mention_event, message_event

POLICE = "CPOLICE01"


def blocks_text(params: dict) -> str:
    return json.dumps(params.get("blocks", []), ensure_ascii=False) + str(params.get("text", ""))


def test_admin_sets_shows_and_resets_a_channel_scope(ui_db: Running) -> None:
    said = command(
        ui_db, f"channel set <#{POLICE}|police-tech> tags Surveillance,cameras", user=ADMIN
    )
    assert f"<#{POLICE}>" in said and "tags surveillance, cameras" in said
    command(ui_db, f"channel set <#{POLICE}|police-tech> kind case-notes", user=ADMIN)
    command(ui_db, "channel set city Seattle", user=ADMIN, channel=POLICE)
    shown = command(ui_db, "channel show", user=OWNER, channel=POLICE)
    assert "case notes · tags surveillance, cameras · city Seattle" in shown
    assert "answers on" in shown
    assert command(ui_db, "channel reset", user=ADMIN, channel=POLICE) == msg.CHANNEL_RESET.format(
        channel=f"<#{POLICE}>"
    )
    assert "no scope of its own" in command(ui_db, f"channel show <#{POLICE}>", user=OWNER)


def test_only_admins_change_a_scope_and_bad_input_gets_usage(ui_db: Running) -> None:
    refused = command(ui_db, "channel set tags cameras", user=OWNER, channel=POLICE)
    assert msg.CHANNEL_ADMINS_ONLY in refused
    assert msg.CHANNEL_ADMINS_ONLY in command(ui_db, "channel reset", user=OWNER, channel=POLICE)
    assert "no scope of its own" in command(ui_db, "channel show", channel=POLICE)
    assert "unknown kind 'memos'" in command(ui_db, "channel set kind memos", user=ADMIN)
    assert "on or off" in command(ui_db, "channel set answer maybe", user=ADMIN)
    assert command(ui_db, "channel", user=ADMIN).startswith("Usage: `/advisor channel set")


def test_mentions_follow_ups_and_commands_apply_the_channel_scope(ui_db: Running) -> None:
    command(ui_db, "channel set tags surveillance,cameras", user=ADMIN, channel=POLICE)
    expected = Filters(tags=("surveillance", "cameras"))

    mention = mention_event("how long do we keep footage?", channel=POLICE)
    ui_db.sender.event(event_callback(mention))
    answer = answers_in(ui_db)[0]
    assert ui_db.answerer.calls[-1].filters == expected
    assert "Scope: tags surveillance, cameras (this channel" in blocks_text(answer)

    follow_up = message_event("and who audits it?", channel=POLICE, thread_ts=mention["ts"])
    ui_db.sender.event(event_callback(follow_up))
    answers_in(ui_db, 2)
    assert ui_db.answerer.calls[-1].question == "and who audits it?"
    assert ui_db.answerer.calls[-1].filters == expected

    name = "scoped-cmd"
    ui_db.sender.command(
        command="/advisor",
        text="in:case-notes city:Seattle what did peers do?",
        user_id=OWNER,
        channel_id=POLICE,
        response_url=ui_db.slack_api.response_url(name),
        trigger_id="1.2.3",
        team_id=TEAM_ID,
    )
    reply = ui_db.slack_api.wait_for(f"response:{name}")[0].params
    call = ui_db.answerer.calls[-1]
    assert call.question == "what did peers do?"  # the scope words are not part of it
    assert call.filters == Filters(
        kinds=("case-note",), tags=("surveillance", "cameras"), cities=("Seattle",)
    )
    assert "narrowed by the question" in blocks_text(reply)


def test_elsewhere_the_whole_library_answers(ui_db: Running) -> None:
    command(ui_db, "channel set tags cameras", user=ADMIN, channel=POLICE)
    ui_db.sender.event(event_callback(mention_event("what is a DPIA?", channel="CGENERAL")))
    answer = answers_in(ui_db)[0]
    assert ui_db.answerer.calls[-1].filters is None
    assert "Scope:" not in blocks_text(answer)


def test_answers_off_refuses_mentions_and_ignores_follow_ups(ui_db: Running) -> None:
    first = mention_event("before the switch", channel=POLICE)
    ui_db.sender.event(event_callback(first))
    answers_in(ui_db)
    command(ui_db, "channel set answer off", user=ADMIN, channel=POLICE)
    asked = len(ui_db.answerer.calls)

    ui_db.sender.event(event_callback(mention_event("now?", channel=POLICE)))
    note = answers_in(ui_db, 2)[1]
    assert note["text"] == msg.CHANNEL_ANSWERS_OFF
    ui_db.sender.event(
        event_callback(message_event("more?", channel=POLICE, thread_ts=first["ts"]))
    )
    time.sleep(0.5)  # a follow-up would have shown its placeholder by now
    assert len(ui_db.answerer.calls) == asked  # nothing was asked of the engine
    assert len(ui_db.slack_api.calls_to("chat.update")) == 2

    command(ui_db, "channel set answer on", user=ADMIN, channel=POLICE)
    ui_db.sender.event(event_callback(mention_event("again?", channel=POLICE)))
    answers_in(ui_db, 3)
    assert ui_db.answerer.calls[-1].question == "again?"


def test_bad_inline_scope_is_refused_with_a_reason(ui_db: Running) -> None:
    ui_db.sender.event(event_callback(mention_event("in:memos anything?", channel=POLICE)))
    note = answers_in(ui_db)[0]
    assert "unknown kind" in note["text"] and "playbooks or case-notes" in note["text"]
