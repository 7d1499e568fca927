"""Block Kit for check-ins, reminders, escalations and digests: pure functions, no I/O.

Every piece of user text (titles, notes, group names) is escaped with
``bot.escape.escape_mrkdwn``; user IDs become mentions only through ``bot.escape.mention``.
Buttons carry the check-in id as their ``value``; listeners map ``action_id`` back to a
response with ``RESPONSE_BY_ACTION``. The strings below could join ``bot.messages``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.escape import escape_mrkdwn, mention
from checkins.digest import DigestContent, DigestRow

Block = dict[str, Any]

ACTION_DONE = "checkin_done"
ACTION_ON_TRACK = "checkin_on_track"
ACTION_AT_RISK = "checkin_at_risk"
ACTION_BLOCKED = "checkin_blocked"
ACTION_SNOOZE = "checkin_snooze"
RESPONSE_BY_ACTION = {
    ACTION_DONE: "done",
    ACTION_ON_TRACK: "on_track",
    ACTION_AT_RISK: "at_risk",
    ACTION_BLOCKED: "blocked",
}

CHECKIN_INTRO = ":wave: Check-in on your commitment for *{group}*:"
REMINDER_INTRO = ":bell: Reminder: how is this commitment for *{group}* going?"
CHECKIN_LINE = "*{title}*\nDue {due}{late}"
LATE = " (overdue by {days} day{s})"
ESCALATION = (
    ":rotating_light: A commitment in *{group}* is overdue by {days} days: *{title}* "
    "(owner {owner}, due {due})."
)
DIGEST_HEADER = "Progress digest: {group}"
DIGEST_SUMMARY = "{open} open · {overdue} overdue · {done} recently done"
DIGEST_EMPTY = "No open commitments. :tada:"
BLOCKERS = "*Blocked*"
UNREACHABLE = ":warning: Could not reach {owners} (left the workspace?). Please reassign."
STATUS_LABELS = {
    "done": ":white_check_mark: done",
    "on_track": ":large_green_circle: on track",
    "at_risk": ":large_yellow_circle: at risk",
    "blocked": ":red_circle: blocked",
    None: "no answer yet",
}
BUTTONS = (
    (ACTION_DONE, "Done", "primary"),
    (ACTION_ON_TRACK, "On track", None),
    (ACTION_AT_RISK, "At risk", None),
    (ACTION_BLOCKED, "Blocked", "danger"),
    (ACTION_SNOOZE, "Snooze a day", None),
)
_SECTION_LIMIT = 2900


def who(user_id: str) -> str:
    """A mention for a real user ID, else the escaped text."""
    try:
        return mention(user_id)
    except ValueError:
        return escape_mrkdwn(user_id)


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _late(due: date, today: date) -> str:
    days = (today - due).days
    return LATE.format(days=days, s="" if days == 1 else "s") if days > 0 else ""


def checkin_message(
    *, checkin_id: int, group: str, title: str, due: date, today: date, reminder: bool = False
) -> tuple[str, list[Block]]:
    """The DM asking an owner how a commitment is going, with the four answer buttons."""
    intro = (REMINDER_INTRO if reminder else CHECKIN_INTRO).format(group=escape_mrkdwn(group))
    line = CHECKIN_LINE.format(
        title=escape_mrkdwn(title), due=due.isoformat(), late=_late(due, today)
    )
    buttons = []
    for action_id, label, style in BUTTONS:
        button: Block = {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": label},
            "value": str(checkin_id),
        }
        if style:
            button["style"] = style
        buttons.append(button)
    blocks = [_section(intro), _section(line), {"type": "actions", "elements": buttons}]
    return f"{intro} {line}", blocks


def escalation_message(
    *, group: str, title: str, owner_user_id: str, due: date, days_overdue: int
) -> tuple[str, list[Block]]:
    """The DM telling a group lead a commitment is overdue."""
    text = ESCALATION.format(
        group=escape_mrkdwn(group),
        days=days_overdue,
        title=escape_mrkdwn(title),
        owner=who(owner_user_id),
        due=due.isoformat(),
    )
    return text, [_section(text)]


def _row_line(row: DigestRow) -> str:
    label = STATUS_LABELS["done"] if row.status == "done" else STATUS_LABELS[row.last_response]
    late = f" · *:warning: {row.days_overdue}d overdue*" if row.overdue else ""
    return (
        f"• #{row.commitment_id} *{escape_mrkdwn(row.title)}*: {who(row.owner_user_id)}, "
        f"due {row.due_date.isoformat()} · {label}{late}"
    )


def _chunks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    current = ""
    for line in lines:
        if current and len(current) + len(line) + 1 > _SECTION_LIMIT:
            blocks.append(_section(current))
            current = ""
        current = f"{current}\n{line}" if current else line[:_SECTION_LIMIT]
    if current:
        blocks.append(_section(current))
    return blocks


def digest_message(content: DigestContent) -> tuple[str, list[Block]]:
    """The channel digest: a summary line, the status table, blockers, unreachable owners."""
    header = DIGEST_HEADER.format(group=content.group_name)[:150]
    done = sum(r.status == "done" for r in content.rows)
    summary = DIGEST_SUMMARY.format(
        open=len(content.rows) - done, overdue=content.overdue_count, done=done
    )
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": header}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": summary}]},
    ]
    blocks += _chunks([_row_line(r) for r in content.rows]) or [_section(DIGEST_EMPTY)]
    if content.blockers:
        lines = [BLOCKERS] + [
            f"• *{escape_mrkdwn(b.title)}* ({who(b.owner_user_id)})"
            + (f": {escape_mrkdwn(b.note)}" if b.note else "")
            for b in content.blockers
        ]
        blocks += _chunks(lines)
    if content.unreachable_owners:
        owners = ", ".join(who(u) for u in content.unreachable_owners)
        blocks.append(_section(UNREACHABLE.format(owners=owners)))
    return f"{escape_mrkdwn(header)}: {summary}", blocks[:50]
