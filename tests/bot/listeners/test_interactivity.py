"""Slash command, message shortcut, buttons and modals, as signed form posts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.blocks import answer as ids
from bot.blocks import modals
from bot.commands import support
from storage.groups import create_group
from storage.models import Commitment, Feedback, PersonRequest, QuestionLog, WorkingGroupBase
from tests.bot.conftest import CURATOR, Running
from tests.bot.slack.test_http_events import answers_in, settle
from tests.fakes.slack_requests import block_action, event_callback, mention_event, view_submission


def ask_by_command(advisor: Running, text: str = "how do we run a PIA?") -> dict:
    status, body = advisor.sender.command(
        command="/advisor",
        text=text,
        user_id="UASKER01",
        channel_id="CGENERAL",
        response_url=advisor.slack_api.response_url("cmd"),
        trigger_id="1.2.3",
        team_id="T0000001",
    )
    assert status == 200
    return json.loads(body) if body else {}


def logged_question_id(advisor: Running) -> int:
    with advisor.services.session() as session:
        row = session.exec(select(QuestionLog)).first()
    assert row is not None and row.id is not None
    return row.id


def test_slash_command_answers_privately_with_share_button(advisor: Running) -> None:
    ack = ask_by_command(advisor)
    assert ack["response_type"] == "ephemeral"
    reply = advisor.slack_api.wait_for("response:cmd")[0].params
    assert reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is True
    action_ids = [e["action_id"] for e in reply["blocks"][-1]["elements"]]
    assert ids.SHARE in action_ids and ids.MAKE_COMMITMENT in action_ids


def test_slash_command_help_and_empty(advisor: Running) -> None:
    for text in ("help", "", "HELP"):
        ack = ask_by_command(advisor, text)
        assert "/advisor help" in json.dumps(ack["blocks"])
    assert advisor.answerer.calls == []


def test_share_posts_in_channel_and_removes_private_copy(advisor: Running) -> None:
    ask_by_command(advisor)
    advisor.slack_api.wait_for("response:cmd")
    log_id = str(logged_question_id(advisor))
    payload = block_action(
        ids.SHARE, log_id, response_url=advisor.slack_api.response_url("share"), ephemeral=True
    )
    assert advisor.sender.interaction(payload)[0] == 200
    post = advisor.slack_api.wait_for("chat.postMessage")[0].params
    assert post["channel"] == "CGENERAL"
    assert "Shared by <@UASKER01>" in json.dumps(post["blocks"])
    assert advisor.slack_api.wait_for("response:share")[0].params == {"delete_original": True}


def test_message_shortcut_asks_about_the_message(advisor: Running) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "ask_advisor",
        "trigger_id": "1.2",
        "team": {"id": "T0000001"},
        "user": {"id": "UASKER01"},
        "channel": {"id": "CGENERAL"},
        "message": {"ts": "1700.1", "text": "Can we <b>share</b> 🚦 footage with police?"},
        "response_url": advisor.slack_api.response_url("shortcut"),
    }
    assert advisor.sender.interaction(payload)[0] == 200
    replies = advisor.slack_api.wait_for("response:shortcut", 2)
    assert "Working on it" in replies[0].params["text"]
    assert advisor.answerer.calls[0].question == "Can we <b>share</b> 🚦 footage with police?"
    assert "&lt;b&gt;share&lt;/b&gt;" in json.dumps(replies[1].params["blocks"], ensure_ascii=False)


def answered_in_channel(advisor: Running) -> int:
    advisor.sender.event(event_callback(mention_event("data sharing?")))
    answers_in(advisor)
    advisor.slack_api.reset()
    return logged_question_id(advisor)


def test_helpful_is_stored(advisor: Running) -> None:
    log_id = answered_in_channel(advisor)
    url = advisor.slack_api.response_url("fb")
    advisor.sender.interaction(block_action(ids.HELPFUL, str(log_id), response_url=url))
    assert "glad it helped" in advisor.slack_api.wait_for("response:fb")[0].params["text"]
    with advisor.services.session() as session:
        row = session.exec(select(Feedback)).one()
    assert row.helpful and row.user_id == "UASKER01"


def test_not_helpful_opens_reason_modal_and_stores_reason(advisor: Running) -> None:
    log_id = answered_in_channel(advisor)
    url = advisor.slack_api.response_url("fb")
    advisor.sender.interaction(block_action(ids.NOT_HELPFUL, str(log_id), response_url=url))
    view = advisor.slack_api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == modals.FEEDBACK_CALLBACK
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": "out of date"}}}
    status, _ = advisor.sender.interaction(view_submission(view, values))
    assert status == 200
    with advisor.services.session() as session:
        row = session.exec(select(Feedback)).one()
    assert row.helpful is False and row.reason == "out of date"


def test_feedback_on_a_purged_answer_says_so(advisor: Running) -> None:
    url = advisor.slack_api.response_url("fb")
    advisor.sender.interaction(block_action(ids.HELPFUL, "999", response_url=url))
    assert "no longer" in advisor.slack_api.wait_for("response:fb")[0].params["text"]


def test_ask_a_person_tags_curators_in_thread(advisor: Running) -> None:
    log_id = answered_in_channel(advisor)
    url = advisor.slack_api.response_url("person")
    advisor.sender.interaction(block_action(ids.ASK_PERSON, str(log_id), response_url=url))
    post = advisor.slack_api.wait_for("chat.postMessage")[0].params
    assert f"<@{CURATOR}>" in post["text"] and "<@UASKER01>" in post["text"]
    assert post["thread_ts"] == "1710000000.000100"
    assert "asked the curators" in advisor.slack_api.wait_for("response:person")[0].params["text"]


def test_a_double_click_on_ask_a_person_tags_the_curators_once(advisor: Running) -> None:
    log_id = answered_in_channel(advisor)
    url = advisor.slack_api.response_url("person")
    for _ in range(2):
        advisor.sender.interaction(block_action(ids.ASK_PERSON, str(log_id), response_url=url))
    notes = [c.params["text"] for c in advisor.slack_api.wait_for("response:person", count=2)]
    assert sorted("already asked" in note for note in notes) == [False, True]
    tags = [
        c for c in advisor.slack_api.calls_to("chat.postMessage") if CURATOR in c.params["text"]
    ]
    assert len(tags) == 1
    with advisor.services.session() as session:
        assert len(session.exec(select(PersonRequest)).all()) == 1


def test_commitment_modal_prefilled_and_submitted(advisor: Running) -> None:
    now = advisor.services.clock()
    with advisor.services.session() as session:
        group = create_group(
            session,
            group=WorkingGroupBase(name="Privacy WG", channel_id="CPRIV", lead_user_id="ULEAD001"),
            now=now,
        )
    advisor.slack_api.add_user("UOWNER01")
    log_id = answered_in_channel(advisor)
    value = ids.commitment_value(log_id, ["Draft the agreement", "Schedule a kickoff"])
    url = advisor.slack_api.response_url("c")
    advisor.sender.interaction(block_action(ids.MAKE_COMMITMENT, value, response_url=url))
    view = advisor.slack_api.wait_for("views.open")[0].params["view"]
    title = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Draft the agreement"
    due = (now.date() + timedelta(days=7)).isoformat()
    values = {
        "title": {"title_input": {"value": "Draft the agreement"}},
        "details": {"details_input": {"value": "- Schedule a kickoff"}},
        "group": {"group_select": {"selected_option": {"value": str(group.id)}}},
        "owner": {"owner_select": {"selected_user": "UOWNER01"}},
        "due": {"due_picker": {"selected_date": due}},
    }
    status, body = advisor.sender.interaction(view_submission(view, values))
    assert status == 200 and json.loads(body)["response_action"] == "update"
    with advisor.services.session() as session:
        row = session.exec(select(Commitment)).one()
    assert (row.owner_user_id, row.question_log_id, row.due_date) == (
        "UOWNER01",
        log_id,
        date.fromisoformat(due),
    )
    posts = advisor.slack_api.wait_for("chat.postMessage")
    (dm,) = [c.params for c in posts if c.params["channel"] == "UOWNER01"]
    assert "added a commitment for you in *Privacy WG*" in dm["text"]


def test_commitment_for_an_owner_who_left_is_refused(advisor: Running) -> None:
    advisor.slack_api.add_user("UGONE001", deleted=True)
    view = {"callback_id": modals.COMMITMENT_CALLBACK, "private_metadata": "{}"}
    due = (advisor.services.clock().date() + timedelta(days=7)).isoformat()
    values = {
        "title": {"title_input": {"value": "Draft the agreement"}},
        "group": {"group_select": {"selected_option": {"value": "1"}}},
        "owner": {"owner_select": {"selected_user": "UGONE001"}},
        "due": {"due_picker": {"selected_date": due}},
    }
    status, body = advisor.sender.interaction(view_submission(view, values))
    reply = json.loads(body)
    assert status == 200 and reply["response_action"] == "errors"
    assert "owner" in reply["errors"]
    with advisor.services.session() as session:
        assert session.exec(select(Commitment)).all() == []


def test_commitment_due_in_the_past_is_refused(advisor: Running) -> None:
    view = {"callback_id": modals.COMMITMENT_CALLBACK, "private_metadata": "{}"}
    values = {
        "group": {"group_select": {"selected_option": {"value": "1"}}},
        "due": {"due_picker": {"selected_date": "2001-01-01"}},
    }
    status, body = advisor.sender.interaction(view_submission(view, values))
    assert status == 200 and json.loads(body)["response_action"] == "errors"


def test_commitment_modal_without_groups_explains(advisor: Running) -> None:
    url = advisor.slack_api.response_url("c")
    value = ids.commitment_value(1, ["Do it"])
    advisor.sender.interaction(block_action(ids.MAKE_COMMITMENT, value, response_url=url))
    view = advisor.slack_api.wait_for("views.open")[0].params["view"]
    assert "no working groups" in json.dumps(view)


def test_app_home_shows_recent_questions(advisor: Running) -> None:
    answered_in_channel(advisor)
    event = {"type": "app_home_opened", "user": "UASKER01", "channel": "D1", "tab": "home"}
    advisor.sender.event(event_callback(event))
    view = advisor.slack_api.wait_for("views.publish")[0].params["view"]
    assert "data sharing?" in json.dumps(view)
    settle(advisor)


def test_share_into_a_channel_the_bot_cannot_post_to_tells_the_clicker(advisor: Running) -> None:
    """Share runs on the worker pool after the ack: a Slack refusal must reach the user."""
    ask_by_command(advisor)
    advisor.slack_api.wait_for("response:cmd")
    advisor.slack_api.add_channel("CGENERAL", not_in_channel=True)
    log_id = str(logged_question_id(advisor))
    url = advisor.slack_api.response_url("share")
    advisor.sender.interaction(block_action(ids.SHARE, log_id, response_url=url, ephemeral=True))
    note = advisor.slack_api.wait_for("response:share")[0].params
    assert "not_in_channel" in note["text"] and note["response_type"] == "ephemeral"


def test_an_expired_trigger_on_not_helpful_tells_the_clicker(advisor: Running) -> None:
    log_id = answered_in_channel(advisor)
    advisor.slack_api.fail_next("views.open", error="expired_trigger_id")
    url = advisor.slack_api.response_url("fb")
    advisor.sender.interaction(block_action(ids.NOT_HELPFUL, str(log_id), response_url=url))
    assert "expired_trigger_id" in advisor.slack_api.wait_for("response:fb")[0].params["text"]


def test_commitment_form_retries_a_briefly_locked_database(
    advisor: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form creates a commitment the way the command does: a transient error is retried."""
    with advisor.services.session() as session:
        group = create_group(
            session,
            group=WorkingGroupBase(name="Privacy WG", channel_id="CPRIV", lead_user_id="ULEAD001"),
            now=advisor.services.clock(),
        )
    real, failures = support.create_commitment, [1]

    def locked_once(*args: object, **kwargs: object) -> Commitment:
        if failures:
            failures.pop()
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(support, "create_commitment", locked_once)
    view = {"callback_id": modals.COMMITMENT_CALLBACK, "private_metadata": "{}"}
    due = (advisor.services.clock().date() + timedelta(days=7)).isoformat()
    values = {
        "title": {"title_input": {"value": "Draft the agreement"}},
        "group": {"group_select": {"selected_option": {"value": str(group.id)}}},
        "due": {"due_picker": {"selected_date": due}},
    }
    status, body = advisor.sender.interaction(view_submission(view, values))
    assert status == 200 and json.loads(body)["response_action"] == "update"
    assert failures == []
    with advisor.services.session() as session:
        assert [r.title for r in session.exec(select(Commitment)).all()] == ["Draft the agreement"]
