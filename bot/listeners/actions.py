"""Buttons under an answer: Helpful, Not helpful, Turn into a commitment, Ask a person, Share."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.answers import buttons
from bot.blocks import answer as ids
from bot.blocks.modals import commitment_modal, feedback_modal
from bot.listeners.clicks import clicked
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import SlackCallFailed

log = logging.getLogger(__name__)
Body = dict[str, Any]


def _open(services: Services, body: Body, view: dict[str, Any]) -> None:
    """Open a modal; if Slack refuses (an expired trigger), tell the clicker instead."""
    try:
        services.slack.open_view(trigger_id=str(body.get("trigger_id", "")), view=view)
    except SlackCallFailed as exc:
        code = escape_mrkdwn(exc.code)
        buttons.tell(services, buttons.where_clicked(body), msg.SLACK_FAILED.format(code=code))


def register(app: App, services: Services) -> None:
    @app.action(ids.HELPFUL)
    def on_helpful(ack: Ack, body: Body) -> None:
        ack()
        click = clicked(body)
        user, log_id = click.user, click.id
        where = buttons.where_clicked(body)
        if log_id is None or not buttons.give_feedback(
            services, question_log_id=log_id, user_id=user, helpful=True
        ):
            buttons.tell(services, where, msg.ANSWER_GONE)
            return
        buttons.tell(services, where, msg.THANKS_HELPFUL)

    @app.action(ids.NOT_HELPFUL)
    def on_not_helpful(ack: Ack, body: Body) -> None:
        ack()
        click = clicked(body)
        user, log_id = click.user, click.id
        if log_id is None or not buttons.give_feedback(
            services, question_log_id=log_id, user_id=user, helpful=False
        ):
            buttons.tell(services, buttons.where_clicked(body), msg.ANSWER_GONE)
            return
        _open(services, body, feedback_modal(log_id))

    @app.action(ids.MAKE_COMMITMENT)
    def on_make_commitment(ack: Ack, body: Body) -> None:
        ack()
        click = clicked(body)
        draft = buttons.commitment_draft(services, value=click.value, user_id=click.user)
        _open(services, body, commitment_modal(draft, buttons.group_choices(services)))

    @app.action(ids.ASK_PERSON)
    def on_ask_person(ack: Ack, body: Body) -> None:
        ack()
        click = clicked(body)
        user, where = click.user, buttons.where_clicked(body)
        try:
            note = buttons.ask_person(
                services, where=where, question_log_id=click.id or 0, user_id=user
            )
        except SlackCallFailed as exc:
            note = msg.SLACK_FAILED.format(code=escape_mrkdwn(exc.code))
        buttons.tell(services, where, note)

    @app.action(buttons.PERSON_HANDLED)
    def on_person_handled(ack: Ack, body: Body) -> None:
        ack()
        click = clicked(body)
        where = buttons.where_clicked(body)
        if click.id is None:
            return
        note = buttons.mark_handled(services, request_id=click.id, user_id=click.user)
        buttons.tell(services, where, note)

    @app.action(ids.SHARE)
    def on_share(ack: Ack, body: Body) -> None:
        ack()
        click = clicked(body)
        user, where, log_id = click.user, buttons.where_clicked(body), click.id
        if log_id is None:
            return
        job = lambda: buttons.share_answer(  # noqa: E731
            services, where=where, question_log_id=log_id, user_id=user
        )
        if not services.workers.submit(job):
            buttons.tell(services, where, msg.BUSY)
