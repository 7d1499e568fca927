"""My commitments and my next check-ins: the read side shared by App Home and
``/advisor commitments``. ``my_commitments`` and ``next_checkins`` are App Home sections
(``bot.home.HOME_SECTIONS``); each reads the database through storage functions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.blocks.checkins import CommitmentRow, commitment_lines
from bot.blocks.layout import Block, context, sections
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn, token_label
from checkins.dates import today_in
from checkins.digest import latest_checkins
from checkins.upcoming import next_checkin, next_digest, upcoming_label
from storage.checkins import checkins_for
from storage.commitments import list_commitments
from storage.groups import get_group, list_groups_of_user
from storage.models import CommitmentStatus, WorkingGroup

HOME_LIMIT = 20


@dataclass(frozen=True)
class NextCheckin:
    at: datetime  # aware UTC
    label: str  # local wall-clock time with its zone (raw text: escape it where it is shown)

    @property
    def slack_date(self) -> str:
        """A date token Slack shows in the reader's own timezone."""
        epoch = int(self.at.timestamp())
        return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{token_label(self.label)}>"


def next_checkin_at(group: WorkingGroup, *, now: datetime) -> NextCheckin | None:
    """The group's next check-in on a working day as a Slack date, or ``None``."""
    upcoming = next_checkin(group, now=now)
    return NextCheckin(upcoming.at, upcoming.label) if upcoming is not None else None


def open_commitment_rows(
    session: Session, *, user_id: str, now: datetime
) -> tuple[list[CommitmentRow], dict[int, WorkingGroup]]:
    """The user's open commitments (soonest first) and the groups they belong to."""
    owned = list_commitments(session, owner_user_id=user_id, status=CommitmentStatus.OPEN.value)
    groups: dict[int, WorkingGroup] = {}
    for commitment in owned:
        if commitment.group_id not in groups:
            group = get_group(session, group_id=commitment.group_id)
            if group is not None:
                groups[commitment.group_id] = group
    ids = [c.id for c in owned if c.id is not None]
    latest = latest_checkins(checkins_for(session, commitment_ids=ids))
    rows = []
    for commitment in owned:
        group = groups.get(commitment.group_id)
        if commitment.id is None or group is None or group.archived:
            continue
        last = latest.get(commitment.id)
        rows.append(
            CommitmentRow(
                id=commitment.id,
                title=commitment.title,
                group=group.name,
                due=commitment.due_date,
                overdue=commitment.due_date < today_in(now=now, timezone=group.timezone),
                status=last.response if last else None,
            )
        )
    return rows, groups


def my_commitments(services: Services, user_id: str) -> list[Block]:
    with services.session() as session:
        rows, _groups = open_commitment_rows(session, user_id=user_id, now=services.clock())
    if not rows:
        return [*sections(msg.HOME_COMMITMENTS), context(msg.HOME_NO_COMMITMENTS)]
    return sections("\n".join([msg.HOME_COMMITMENTS, *commitment_lines(rows[:HOME_LIMIT])]))


def next_checkins(services: Services, user_id: str) -> list[Block]:
    """Each of my groups (member, lead, or owner of an open commitment there) with its next
    check-in and next digest on the group's own clock, so a quiet weekend is explained."""
    now = services.clock()
    with services.session() as session:
        rows, groups = open_commitment_rows(session, user_id=user_id, now=now)
        for group in list_groups_of_user(session, user_id=user_id):
            if group.id is not None:
                groups.setdefault(group.id, group)
    if not groups:
        return [*sections(msg.HOME_CHECKINS), context(msg.HOME_NO_CHECKINS)]
    counts = Counter(row.group for row in rows)
    lines = [msg.HOME_CHECKINS]
    for group in sorted(groups.values(), key=lambda g: g.name.lower()):
        count = counts[group.name]
        lines.append(
            msg.HOME_GROUP_LINE.format(
                group=escape_mrkdwn(group.name),
                checkin=escape_mrkdwn(upcoming_label(next_checkin(group, now=now))),
                digest=escape_mrkdwn(upcoming_label(next_digest(group, now=now))),
                mine=msg.HOME_GROUP_MINE.format(count=count, s="" if count == 1 else "s")
                if count
                else "",
            )
        )
    return sections("\n".join(lines))
