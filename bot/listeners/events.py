"""Events API: ``app_mention`` in channels, ``message`` in DMs and in answered threads.

A channel message that mentions the bot arrives twice (``app_mention`` and ``message``):
only ``app_mention`` answers it, and both the ``event_id`` and the message itself are
claimed in the database, so Slack's retries and double deliveries give one answer.

The claim comes first, so a re-delivery never shows a second "working on it". A slow or
locked database never leaves the asker in silence, though: if the claim has not answered
within ``EARLY_PLACEHOLDER_SECONDS`` the placeholder goes up anyway, and the claim (bounded
by ``ADVISOR_DATABASE_TIMEOUT_SECONDS``) then turns it into the answer or a note to ask
again; only a re-delivery that was slow to claim takes its early placeholder down again.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App
from sqlalchemy.exc import SQLAlchemyError

from bot.answers.asking import ClaimFailed, EarlyPlaceholder, Question, accept, claim
from bot.blocks.answer import RenderOptions, help_blocks
from bot.services import Services
from bot.slack.gateway import SlackCallFailed
from bot.slack.messages import HELP_FALLBACK, NOT_RECEIVED
from bot.slack.replies import ThreadReply
from storage.curation import get_channel_scope
from storage.models import Surface
from storage.threads import is_answer_thread

log = logging.getLogger(__name__)
Event = dict[str, Any]


def register(app: App, services: Services) -> None:
    @app.event("app_mention")
    def on_mention(body: dict[str, Any], event: Event, context: dict[str, Any]) -> None:
        handle_mention(services, body, event, bot_user_id=context.get("bot_user_id"))

    @app.event("message")
    def on_message(body: dict[str, Any], event: Event, context: dict[str, Any]) -> None:
        handle_message(services, body, event, bot_user_id=context.get("bot_user_id"))


def register_fallback(app: App) -> None:
    """Acknowledge event types we do not use, so Slack does not retry them."""

    @app.event(re.compile(".*"))
    def on_other_event() -> None:
        return None


def from_a_bot(event: Event, bot_user_id: str | None) -> bool:
    return bool(
        event.get("bot_id")
        or event.get("subtype") == "bot_message"
        or (bot_user_id and event.get("user") == bot_user_id)
    )


def strip_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return " ".join(text.split())


def mentions_bot(event: Event, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and f"<@{bot_user_id}" in str(event.get("text", ""))


def handle_mention(
    services: Services, body: dict[str, Any], event: Event, *, bot_user_id: str | None
) -> None:
    if from_a_bot(event, bot_user_id) or not event.get("user"):
        return
    thread_ts = str(event.get("thread_ts") or event.get("ts", ""))
    _ask(
        services, body, event, bot_user_id=bot_user_id, surface=Surface.MENTION, thread_ts=thread_ts
    )


def handle_message(
    services: Services, body: dict[str, Any], event: Event, *, bot_user_id: str | None
) -> None:
    if event.get("subtype") or from_a_bot(event, bot_user_id) or not event.get("user"):
        return
    if event.get("channel_type") == "im":
        thread_ts = event.get("thread_ts")
        _ask(
            services, body, event, bot_user_id=bot_user_id, surface=Surface.DM, thread_ts=thread_ts
        )
    elif _is_follow_up(services, event, bot_user_id):
        _answer_follow_up(services, body, event)


def _ask(
    services: Services,
    body: dict[str, Any],
    event: Event,
    *,
    bot_user_id: str | None,
    surface: Surface,
    thread_ts: str | None,
) -> None:
    """A mention or a DM: help for an empty message, else answer the question once.

    Mentions answer in a thread and remember it (follow-ups need no re-tag); DMs do not.
    """
    channel = str(event.get("channel", ""))
    text = strip_mention(str(event.get("text", "")), bot_user_id)
    if not text:
        if _claimed(services, body, event, channel=channel, thread_ts=thread_ts):
            _post_help(services, channel=channel, thread_ts=thread_ts)
        return
    question = Question(
        user_id=str(event["user"]),
        text=text,
        surface=surface.value,
        channel_id=channel,
        thread_ts=thread_ts,
        remember=surface is Surface.MENTION,
    )
    _answer_once(services, body, event, question)


def _answer_once(
    services: Services, body: dict[str, Any], event: Event, question: Question
) -> None:
    """Claim, then answer; the placeholder goes up early if the claim is slow."""
    reply = ThreadReply(
        services.slack, channel=question.channel_id or "", thread_ts=question.thread_ts
    )
    early = EarlyPlaceholder(services, reply)
    try:
        claimed = claim(services, _keys(body, event))
    except ClaimFailed:
        outcome = early.ensure()
        if outcome is not None:
            outcome.notice(NOT_RECEIVED)
        services.metrics.question_finished(question.surface, "failed")
        return
    if not claimed:
        if early.abandon():  # a re-delivery, slow to claim: take its placeholder down
            reply.withdraw()
        return
    outcome = early.ensure()
    if outcome is not None:
        accept(services, question, reply, options=_options(services), outcome=outcome)


def _claimed(
    services: Services, body: dict[str, Any], event: Event, *, channel: str, thread_ts: str | None
) -> bool:
    """Claim the event; if the database fails, say so where the question was asked.

    A note to ask again beats the alternative: answering without a claim risks two answers.
    """
    try:
        return claim(services, _keys(body, event))
    except ClaimFailed:
        try:
            services.slack.post_message(channel=channel, text=NOT_RECEIVED, thread_ts=thread_ts)
        except SlackCallFailed as exc:
            log.warning("could not tell the user (%s)", exc.code)
        return False


def _is_follow_up(services: Services, event: Event, bot_user_id: str | None) -> bool:
    """A reply in a thread the bot answered. If the database cannot say, stay quiet: a note
    in every thread of the channel would be worse than one unanswered follow-up."""
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if not thread_ts or thread_ts == ts or mentions_bot(event, bot_user_id):
        return False  # not a thread reply, or app_mention answers it
    channel = str(event.get("channel", ""))
    try:
        with services.session() as session:
            scope = get_channel_scope(session, channel_id=channel)
            if scope is not None and not scope.answer:
                return False  # an admin turned answers off here: follow-ups stay quiet
            return is_answer_thread(session, channel_id=channel, thread_ts=str(thread_ts))
    except SQLAlchemyError as exc:
        services.db_trouble.failed(exc)
        log.error("follow-up check failed: %s", type(exc).__name__)
        return False


def _answer_follow_up(services: Services, body: dict[str, Any], event: Event) -> None:
    text = " ".join(str(event.get("text", "")).split())
    if not text:
        return
    question = Question(
        user_id=str(event["user"]),
        text=text,
        surface=Surface.THREAD.value,
        channel_id=str(event.get("channel", "")),
        thread_ts=str(event["thread_ts"]),
        remember=True,
    )
    _answer_once(services, body, event, question)


def _keys(body: dict[str, Any], event: Event) -> list[str]:
    """The delivery (``event_id``) and the message itself (channel + ts)."""
    keys = [f"msg:{event.get('channel', '')}:{event.get('ts', '')}"]
    if body.get("event_id"):
        keys.insert(0, str(body["event_id"]))
    return keys


def _options(services: Services) -> RenderOptions:
    return RenderOptions(ask_person=bool(services.settings.curator_user_ids))


def _post_help(services: Services, *, channel: str, thread_ts: str | None) -> None:
    try:
        services.slack.post_message(
            channel=channel, text=HELP_FALLBACK, blocks=help_blocks(), thread_ts=thread_ts
        )
    except SlackCallFailed as exc:
        log.warning("could not post help (%s)", exc.code)
