"""Buttons under an answer: Helpful, Not helpful, Turn into a commitment, Ask a person, Share."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot import followups
from bot import messages as msg
from bot.blocks import answer as ids
from bot.blocks.modals import commitment_modal, feedback_modal
from bot.escape import escape_mrkdwn
from bot.gateway import SlackCallFailed
from bot.services import Services

log = logging.getLogger(__name__)
Body = dict[str, Any]


def _clicked(body: Body) -> tuple[str, str]:
    action = (body.get("actions") or [{}])[0]
    return str(action.get("value", "")), str((body.get("user") or {}).get("id", ""))


def _log_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _open(services: Services, body: Body, view: dict[str, Any]) -> None:
    """Open a modal; if Slack refuses (an expired trigger), tell the clicker instead."""
    try:
        services.slack.open_view(trigger_id=str(body.get("trigger_id", "")), view=view)
    except SlackCallFailed as exc:
        code = escape_mrkdwn(exc.code)
        followups.tell(services, followups.where_clicked(body), msg.SLACK_FAILED.format(code=code))


def register(app: App, services: Services) -> None:
    @app.action(ids.HELPFUL)
    def on_helpful(ack: Ack, body: Body) -> None:
        ack()
        value, user = _clicked(body)
        log_id = _log_id(value)
        where = followups.where_clicked(body)
        if log_id is None or not followups.give_feedback(
            services, question_log_id=log_id, user_id=user, helpful=True
        ):
            followups.tell(services, where, msg.ANSWER_GONE)
            return
        followups.tell(services, where, msg.THANKS_HELPFUL)

    @app.action(ids.NOT_HELPFUL)
    def on_not_helpful(ack: Ack, body: Body) -> None:
        ack()
        value, user = _clicked(body)
        log_id = _log_id(value)
        if log_id is None or not followups.give_feedback(
            services, question_log_id=log_id, user_id=user, helpful=False
        ):
            followups.tell(services, followups.where_clicked(body), msg.ANSWER_GONE)
            return
        _open(services, body, feedback_modal(log_id))

    @app.action(ids.MAKE_COMMITMENT)
    def on_make_commitment(ack: Ack, body: Body) -> None:
        ack()
        value, user = _clicked(body)
        draft = followups.commitment_draft(services, value=value, user_id=user)
        _open(services, body, commitment_modal(draft, followups.group_choices(services)))

    @app.action(ids.ASK_PERSON)
    def on_ask_person(ack: Ack, body: Body) -> None:
        ack()
        value, user = _clicked(body)
        where = followups.where_clicked(body)
        try:
            note = followups.ask_person(
                services, where=where, question_log_id=_log_id(value) or 0, user_id=user
            )
        except SlackCallFailed as exc:
            note = msg.SLACK_FAILED.format(code=escape_mrkdwn(exc.code))
        followups.tell(services, where, note)

    @app.action(ids.SHARE)
    def on_share(ack: Ack, body: Body) -> None:
        ack()
        value, user = _clicked(body)
        where, log_id = followups.where_clicked(body), _log_id(value)
        if log_id is None:
            return
        job = lambda: followups.share_answer(  # noqa: E731
            services, where=where, question_log_id=log_id, user_id=user
        )
        if not services.workers.submit(job):
            followups.tell(services, where, msg.BUSY)
