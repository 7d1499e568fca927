"""Block Kit for check-ins, reminders, escalations and digests: pure functions, no I/O.

Every piece of user text (titles, notes, group names) is escaped with
``bot.slack.escape.escape_mrkdwn``; user IDs become mentions only through ``bot.slack.escape.mention``.
Buttons carry the check-in id as their ``value``; listeners map ``action_id`` back to a
response with ``RESPONSE_BY_ACTION``. The words are in ``bot.slack.messages``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.blocks.layout import Block, actions, button, context, plain, sections
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn, link, mention
from checkins.digest import DigestContent, DigestRow
from retrieval.answer import playbook_link
from retrieval.models import HEADING_SEPARATOR

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
BUTTONS = (
    (ACTION_DONE, msg.CHECKIN_BUTTON_DONE, "primary"),
    (ACTION_ON_TRACK, msg.CHECKIN_BUTTON_ON_TRACK, None),
    (ACTION_AT_RISK, msg.CHECKIN_BUTTON_AT_RISK, None),
    (ACTION_BLOCKED, msg.CHECKIN_BUTTON_BLOCKED, "danger"),
    (ACTION_SNOOZE, msg.CHECKIN_BUTTON_SNOOZE, None),
)
_SECTION_LIMIT = 2900


def who(user_id: str) -> str:
    """A mention for a real user ID, else the escaped text."""
    try:
        return mention(user_id)
    except ValueError:
        return escape_mrkdwn(user_id)


def _late(due: date, today: date) -> str:
    days = (today - due).days
    return msg.CHECKIN_LATE.format(days=days, s="" if days == 1 else "s") if days > 0 else ""


def playbook_source(cited: Mapping[str, str], *, playbooks_url: str | None) -> str:
    """Where a commitment made from an answer came from: a link to the playbook at that
    section with ``ADVISOR_PLAYBOOKS_URL`` set, else ``path › section`` as text."""
    section = cited.get("section", "")
    headings = [h for h in section.split(HEADING_SEPARATOR) if h]
    url = playbook_link(playbooks_url, cited.get("path", ""), headings)
    if url:
        label = HEADING_SEPARATOR.join(p for p in (cited.get("title", ""), section) if p)
        return link(url, label)
    return escape_mrkdwn(HEADING_SEPARATOR.join(p for p in (cited.get("path", ""), section) if p))


def checkin_message(
    *,
    checkin_id: int,
    group: str,
    title: str,
    due: date,
    today: date,
    reminder: bool = False,
    source: str | None = None,
) -> tuple[str, list[Block]]:
    """The DM asking an owner how a commitment is going, with the four answer buttons;
    ``source`` (mrkdwn from ``playbook_source``) names the playbook section it came from."""
    intro = (msg.REMINDER_INTRO if reminder else msg.CHECKIN_INTRO).format(
        group=escape_mrkdwn(group)
    )
    line = msg.CHECKIN_LINE.format(
        title=escape_mrkdwn(title), due=due.isoformat(), late=_late(due, today)
    )
    if source:
        line += "\n" + msg.CHECKIN_FROM.format(source=source)
    buttons = [
        button(label, action_id=action_id, value=str(checkin_id), style=style)
        for action_id, label, style in BUTTONS
    ]
    return f"{intro} {line}", [*sections(intro), *sections(line), actions(buttons)]


def escalation_message(
    *, group: str, title: str, owner_user_id: str, due: date, days_overdue: int
) -> tuple[str, list[Block]]:
    """The DM telling a group lead a commitment is overdue."""
    text = msg.ESCALATION.format(
        group=escape_mrkdwn(group),
        days=days_overdue,
        title=escape_mrkdwn(title),
        owner=who(owner_user_id),
        due=due.isoformat(),
    )
    return text, sections(text)


def _row_line(row: DigestRow) -> str:
    label = (
        msg.STATUS_LABELS["done"] if row.status == "done" else msg.STATUS_LABELS[row.last_response]
    )
    late = msg.DIGEST_ROW_LATE.format(days=row.days_overdue) if row.overdue else ""
    return msg.DIGEST_ROW.format(
        id=row.commitment_id,
        title=escape_mrkdwn(row.title),
        owner=who(row.owner_user_id),
        due=row.due_date.isoformat(),
        status=label,
        late=late,
    )


def _chunks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    current = ""
    for line in lines:
        if current and len(current) + len(line) + 1 > _SECTION_LIMIT:
            blocks += sections(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:_SECTION_LIMIT]
    if current:
        blocks += sections(current)
    return blocks


def _blocker_line(title: str, owner_user_id: str, note: str | None) -> str:
    line = msg.DIGEST_BLOCKER.format(title=escape_mrkdwn(title), owner=who(owner_user_id))
    return line + (msg.DIGEST_BLOCKER_NOTE.format(note=escape_mrkdwn(note)) if note else "")


def digest_message(content: DigestContent) -> tuple[str, list[Block]]:
    """The channel digest: a summary line, the status table, blockers, unreachable owners."""
    header = msg.DIGEST_HEADER.format(group=content.group_name)[:150]
    done = sum(r.status == "done" for r in content.rows)
    summary = msg.DIGEST_SUMMARY.format(
        open=len(content.rows) - done, overdue=content.overdue_count, done=done
    )
    blocks: list[Block] = [{"type": "header", "text": plain(header)}, context(summary)]
    blocks += _chunks([_row_line(r) for r in content.rows]) or sections(msg.DIGEST_EMPTY)
    if content.blockers:
        lines = [msg.DIGEST_BLOCKERS] + [
            _blocker_line(b.title, b.owner_user_id, b.note) for b in content.blockers
        ]
        blocks += _chunks(lines)
    if content.unreachable_owners:
        owners = ", ".join(who(u) for u in content.unreachable_owners)
        blocks += sections(msg.DIGEST_UNREACHABLE.format(owners=owners))
    if content.away:
        people = ", ".join(
            msg.DIGEST_AWAY_ONE.format(user=who(user), until=until.isoformat())
            for user, until in content.away
        )
        blocks += sections(msg.DIGEST_AWAY.format(people=people))
    if content.missing:
        parties = ", ".join(escape_mrkdwn(label) for label in content.missing)
        blocks += sections(msg.DIGEST_MISSING.format(parties=parties))
    return f"{escape_mrkdwn(header)}: {summary}", blocks[:50]
