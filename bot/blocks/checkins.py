"""Block Kit for the check-in UI: the answered DM, the Blocked and group forms, the lists.

Pure functions, no I/O. Every name, title and note is escaped here; user IDs become
mentions only through ``bot.blocks.checkin_messages.who`` (which checks the ID's shape).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.blocks.checkin_messages import who
from bot.blocks.layout import Block, context, plain, sections, truncate
from bot.blocks.modals import input_block, modal_view
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from checkins.history import TrailEntry
from storage.models import Commitment

BLOCKED_CALLBACK = "checkin_blocked_note"
GROUP_CALLBACK = "group_create"
BLOCKING = ("blocking", "blocking_input")
HELPERS = ("helpers", "helpers_input")
G_NAME = ("group_name", "group_name_input")
G_CHANNEL = ("group_channel", "group_channel_select")
G_TIMEZONE = ("group_timezone", "group_timezone_input")
G_SCHEDULE = ("group_schedule", "group_schedule_input")
G_TOPIC = ("group_topic", "group_topic_input")
TRAIL_LIMIT = 8  # a status trail shows its newest steps (Slack caps a message's size)


def status_label(status: str | None) -> str:
    return msg.STATUS_LABELS.get(status, msg.STATUS_LABELS[None])


def answered_checkin(
    *, group: str, title: str, due: date, response: str, user_id: str, note: str | None
) -> tuple[str, list[Block]]:
    """The check-in DM once answered: the same words, the recorded status, no buttons."""
    intro = msg.CHECKIN_INTRO.format(group=escape_mrkdwn(group))
    line = msg.CHECKIN_LINE.format(title=escape_mrkdwn(title), due=due.isoformat(), late="")
    label = status_label(response)
    if note:
        recorded = msg.CHECKIN_RECORDED_NOTE.format(
            status=label, user=who(user_id), note=escape_mrkdwn(truncate(note, 1500))
        )
    else:
        recorded = msg.CHECKIN_RECORDED.format(status=label, user=who(user_id))
    blocks = [*sections(intro), *sections(line), context(recorded)]
    return f"{intro} {line} {recorded}", blocks


def _modal(callback_id: str, title: str, submit: str, blocks: list[Block], meta: str) -> Block:
    return modal_view(callback_id, title, blocks, submit=plain(submit), private_metadata=meta)


def blocked_modal(*, checkin_id: int, channel: str, ts: str) -> Block:
    """Asks what is blocking and who could help; remembers which DM to update."""
    what = {"type": "plain_text_input", "multiline": True, "max_length": 1500}
    helpers = {
        "type": "plain_text_input",
        "max_length": 300,
        "placeholder": plain(msg.BLOCKED_WHO_HINT),
    }
    blocks = [
        input_block(BLOCKING, msg.BLOCKED_WHAT, what),
        input_block(HELPERS, msg.BLOCKED_WHO, helpers, optional=True),
    ]
    meta = json.dumps({"c": checkin_id, "ch": channel, "ts": ts})
    return _modal(BLOCKED_CALLBACK, msg.BLOCKED_TITLE, msg.BLOCKED_SUBMIT, blocks, meta)


def group_create_modal(*, name: str, channel_id: str | None, timezone: str, schedule: str) -> Block:
    """The new-group form, prefilled with whatever the command already said."""
    channel: Block = {"type": "conversations_select", "filter": {"include": ["public", "private"]}}
    if channel_id:
        channel["initial_conversation"] = channel_id
    blocks = [
        input_block(G_NAME, msg.GROUP_FORM_NAME, _text(name, 80)),
        input_block(G_CHANNEL, msg.GROUP_FORM_CHANNEL, channel),
        input_block(G_TIMEZONE, msg.GROUP_FORM_TIMEZONE, _text(timezone, 64)),
        {
            **input_block(G_SCHEDULE, msg.GROUP_FORM_SCHEDULE, _text(schedule, 100)),
            "hint": plain(msg.GROUP_FORM_SCHEDULE_HINT),
        },
        {
            **input_block(G_TOPIC, msg.GROUP_FORM_TOPIC, _text("", 300), optional=True),
            "hint": plain(msg.GROUP_FORM_TOPIC_HINT),
        },
    ]
    return _modal(GROUP_CALLBACK, msg.GROUP_FORM_TITLE, msg.GROUP_FORM_SUBMIT, blocks, "")


def _text(initial: str, limit: int) -> Block:
    element: Block = {"type": "plain_text_input", "max_length": limit}
    if initial:
        element["initial_value"] = truncate(initial, limit)
    return element


def form_result(text: str, *, title: str = msg.GROUP_FORM_TITLE) -> dict[str, Any]:
    """A modal's closing view (``response_action: update``) with one message."""
    view = modal_view("advisor_done", title, sections(text))
    return {"response_action": "update", "view": view}


def channel_ref(channel_id: str) -> str:
    """A channel link for an ID we stored (IDs are Slack's; anything else is escaped)."""
    if channel_id[:1] in "CG" and channel_id.isalnum():
        return f"<#{channel_id}>"
    return escape_mrkdwn(channel_id)


@dataclass(frozen=True)
class GroupRow:
    name: str
    channel_id: str
    lead_user_id: str
    members: int
    schedule: str
    timezone: str
    mine: bool
    channel_error: str | None
    next_checkin: str  # raw text, e.g. "Mon 30 Nov 09:00 America/Los_Angeles"
    next_digest: str


def group_list(rows: Sequence[GroupRow]) -> str:
    if not rows:
        return msg.GROUP_LIST_EMPTY
    lines = [msg.GROUP_LIST_HEADER]
    for row in rows:
        problem = msg.GROUP_LINE_PROBLEM.format(error=escape_mrkdwn(row.channel_error or ""))
        lines.append(
            msg.GROUP_LINE.format(
                name=escape_mrkdwn(row.name),
                channel=channel_ref(row.channel_id),
                lead=who(row.lead_user_id),
                members=row.members,
                s="" if row.members == 1 else "s",
                schedule=escape_mrkdwn(row.schedule),
                timezone=escape_mrkdwn(row.timezone),
                next_checkin=escape_mrkdwn(row.next_checkin),
                next_digest=escape_mrkdwn(row.next_digest),
                mine=msg.GROUP_LINE_MINE if row.mine else "",
                problem=problem if row.channel_error else "",
            )
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class CommitmentRow:
    id: int
    title: str
    group: str
    due: date
    overdue: bool
    status: str | None  # the latest check-in answer


def commitment_lines(rows: Sequence[CommitmentRow]) -> list[str]:
    return [
        msg.COMMITMENT_LINE.format(
            id=row.id,
            title=escape_mrkdwn(truncate(row.title, 150)),
            group=escape_mrkdwn(row.group),
            due=row.due.isoformat(),
            late=msg.COMMITMENT_LATE if row.overdue else "",
            status=status_label(row.status),
        )
        for row in rows
    ]


def history_lines(rows: Sequence[tuple[Commitment, str, Sequence[TrailEntry]]]) -> list[str]:
    """Each commitment (id, title, group, due, status) and its status trail under it."""
    lines = []
    for commitment, group, trail in rows:
        lines.append(
            msg.HISTORY_LINE.format(
                id=commitment.id,
                title=escape_mrkdwn(truncate(commitment.title, 150)),
                group=escape_mrkdwn(group),
                due=commitment.due_date.isoformat(),
                status=escape_mrkdwn(commitment.status),
            )
        )
        if not trail:
            lines.append(msg.HISTORY_NO_TRAIL)
            continue
        earlier = len(trail) - TRAIL_LIMIT
        steps = " → ".join(
            ([msg.HISTORY_EARLIER.format(count=earlier)] if earlier > 0 else [])
            + [
                msg.HISTORY_STEP.format(
                    date=entry.at.date().isoformat(),
                    status=status_label(entry.status) if entry.via != "closed" else entry.status,
                    via=msg.HISTORY_VIA_UPDATE if entry.via == "update" else "",
                    note=msg.UPDATE_NOTE.format(note=escape_mrkdwn(truncate(entry.note, 100)))
                    if entry.note
                    else "",
                )
                for entry in trail[-TRAIL_LIMIT:]
            ]
        )
        lines.append(msg.HISTORY_TRAIL.format(trail=steps))
    return lines
