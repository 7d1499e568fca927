"""Use-cases behind the buttons under an answer: feedback, ask a person, share, commit."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.blocks.answer import RenderOptions, render_answer
from bot.blocks.layout import actions, button, sections
from bot.blocks.modals import CommitmentDraft
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn, mention
from bot.slack.gateway import SlackCallFailed
from storage.curation import record_person_request, resolve_person_request
from storage.groups import list_groups
from storage.questions import get_question, record_feedback
from storage.threads import remember_thread

log = logging.getLogger(__name__)
DEFAULT_DUE_DAYS = 14
PERSON_HANDLED = "person_handled"  # action_id of "Mark handled" on an Ask-a-person message


@dataclass(frozen=True)
class Where:
    """Where a button was clicked: the channel, the message and its thread, ephemeral or not."""

    channel_id: str
    message_ts: str | None
    thread_ts: str | None
    ephemeral: bool
    response_url: str


def where_clicked(body: dict[str, Any]) -> Where:
    container = body.get("container") or {}
    message = body.get("message") or {}
    ts = message.get("ts") or container.get("message_ts")
    return Where(
        channel_id=str((body.get("channel") or {}).get("id") or container.get("channel_id", "")),
        message_ts=ts,
        thread_ts=message.get("thread_ts") or container.get("thread_ts") or ts,
        ephemeral=bool(container.get("is_ephemeral")),
        response_url=str(body.get("response_url", "")),
    )


def tell(services: Services, where: Where, text: str | None) -> None:
    """A private note to the clicker, beside the message they clicked (none for ``None``).

    If Slack refuses even that, the code is logged: a listener never crashes on it.
    """
    if not (text and where.response_url):
        return
    payload = {"response_type": "ephemeral", "replace_original": False, "text": text}
    try:
        services.slack.respond(response_url=where.response_url, payload=payload)
    except SlackCallFailed as error:
        log.warning("could not tell the clicker (%s)", error.code)


def give_feedback(
    services: Services,
    *,
    question_log_id: int,
    user_id: str,
    helpful: bool,
    reason: str | None = None,
) -> bool:
    """Store the verdict; False if the question is no longer in the log."""
    with services.session() as session:
        row = record_feedback(
            session,
            question_log_id=question_log_id,
            user_id=user_id,
            helpful=helpful,
            now=services.clock(),
            reason=reason,
        )
    return row is not None


def ask_person(services: Services, *, where: Where, question_log_id: int, user_id: str) -> str:
    """Tag the curators in the thread (or DM them for a private answer); the note to show."""
    curators = services.settings.curator_user_ids
    if not curators:
        return msg.NO_CURATORS
    tags = " ".join(mention(curator) for curator in curators)
    with services.session() as session:
        row = get_question(session, question_log_id=question_log_id)
        recorded = record_person_request(
            session, question_log_id=question_log_id, user_id=user_id, now=services.clock()
        )  # open until a curator clicks "Mark handled" (the curators' report lists it)
    if recorded is not None and not recorded.new:
        return msg.PERSON_ALREADY_ASKED  # a second click: the curators were told once
    request = recorded.request if recorded is not None else None
    if not where.ephemeral:
        text = msg.PERSON_ASKED.format(curators=tags, asker=mention(user_id))
        services.slack.post_message(
            channel=where.channel_id,
            text=text,
            thread_ts=where.thread_ts,
            blocks=person_blocks(text, request.id if request else None),
        )
        return msg.PERSON_NOTIFIED
    if row is None:
        return msg.ANSWER_GONE
    question = escape_mrkdwn(row.question)
    dm = services.slack.open_dm(user=",".join(curators))
    text = msg.PERSON_ASKED_DM.format(asker=mention(user_id), question=question)
    services.slack.post_message(
        channel=dm, text=text, blocks=person_blocks(text, request.id if request else None)
    )
    return msg.PERSON_NOTIFIED


def person_blocks(text: str, request_id: int | None) -> list[dict[str, Any]]:
    """The curators' message with its "Mark handled" button (none if nothing was recorded)."""
    blocks = sections(text)
    if request_id is not None:
        handled = button(msg.PERSON_HANDLED_BUTTON, action_id=PERSON_HANDLED, value=str(request_id))
        blocks.append(actions([handled]))
    return blocks


def mark_handled(services: Services, *, request_id: int, user_id: str) -> str:
    """A curator or admin closes an *Ask a person* request; the note to show the clicker."""
    settings = services.settings
    if user_id not in {*settings.curator_user_ids, *settings.admin_user_ids}:
        return msg.PERSON_CURATORS_ONLY
    with services.session() as session:
        done = resolve_person_request(
            session, request_id=request_id, resolved_by=user_id, now=services.clock()
        )
    if not done:
        return msg.PERSON_ALREADY_HANDLED
    return msg.PERSON_HANDLED.format(curator=mention(user_id))


def share_answer(services: Services, *, where: Where, question_log_id: int, user_id: str) -> None:
    """Post the private answer to the channel for everyone, then remove the private copy.

    Runs on the worker pool: whatever fails, the clicker is told what to do next.
    """
    try:
        _share(services, where=where, question_log_id=question_log_id, user_id=user_id)
    except SlackCallFailed as error:
        tell(services, where, msg.SLACK_FAILED.format(code=escape_mrkdwn(error.code)))
    except Exception as error:  # the message may quote the question: log the type only
        log.error("share failed: %s", type(error).__name__)
        tell(services, where, msg.FAILED)


def _share(services: Services, *, where: Where, question_log_id: int, user_id: str) -> None:
    with services.session() as session:
        row = get_question(session, question_log_id=question_log_id)
    if row is None:
        tell(services, where, msg.ANSWER_GONE)
        return
    answer = services.advisor.ask(row.question)
    options = RenderOptions(
        question_log_id=question_log_id,
        ask_person=bool(services.settings.curator_user_ids),
        shared_by=mention(user_id),
    )
    rendered = render_answer(answer, options)
    thread_ts = row.thread_ts if row.surface == "shortcut" else None
    first_ts = None
    for blocks in rendered.messages:
        ts = services.slack.post_message(
            channel=where.channel_id,
            text=rendered.text,
            blocks=blocks,
            thread_ts=thread_ts or first_ts,
        )
        first_ts = first_ts or ts
    with services.session() as session:
        remember_thread(
            session,
            channel_id=where.channel_id,
            thread_ts=thread_ts or first_ts or "",
            now=services.clock(),
        )
    if where.response_url:
        services.slack.respond(response_url=where.response_url, payload={"delete_original": True})


def commitment_draft(services: Services, *, value: str, user_id: str) -> CommitmentDraft:
    """The modal's prefill from the button value (log id and the answer's next steps)."""
    data: dict[str, Any] = json.loads(value) if value.startswith("{") else {"q": value, "a": []}
    steps = [str(step) for step in data.get("a", [])]
    details = "\n".join(f"- {step}" for step in steps[1:])
    return CommitmentDraft(
        question_log_id=int(data["q"]) if str(data.get("q")).isdigit() else None,
        title=steps[0] if steps else "",
        details=details,
        owner_user_id=user_id,
        due=services.clock().date() + timedelta(days=DEFAULT_DUE_DAYS),
        citations=tuple(carried_citations(data.get("c"))),
    )


def carried_citations(raw: object) -> list[dict[str, str]]:
    """The cited sections a button or form carried, keeping only well-formed ones."""
    if not isinstance(raw, list):
        return []
    keys = ("title", "section", "path")
    return [
        {key: str(item[key])[:200] for key in keys}
        for item in raw[:10]
        if isinstance(item, dict) and all(isinstance(item.get(key), str) for key in keys)
    ]


def group_choices(services: Services) -> list[tuple[int, str]]:
    with services.session() as session:
        return [(g.id, g.name) for g in list_groups(session) if g.id is not None]
