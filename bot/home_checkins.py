"""My commitments and my next check-ins: the read side shared by App Home and
``/advisor commitments``. ``my_commitments`` and ``next_checkins`` are App Home sections
(``bot.home.HOME_SECTIONS``); each reads the database through storage functions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import messages as msg
from bot.blocks.checkins import CommitmentRow, commitment_lines
from bot.blocks.layout import Block, context, sections
from bot.escape import escape_mrkdwn, token_label
from bot.services import Services
from checkins.dates import today_in
from checkins.digest import latest_checkins
from checkins.errors import InvalidSchedule
from checkins.schedule import next_fire, parse_schedule, parse_weekdays
from storage.checkins import checkins_for
from storage.commitments import list_commitments
from storage.groups import get_group
from storage.models import CommitmentStatus, WorkingGroup

HOME_LIMIT = 20
_MAX_SKIPS = 60  # fires skipped for falling on non-working days before giving up


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
    """The group's next check-in fire on a working day, or ``None`` if it has none."""
    try:
        schedule = parse_schedule(group.checkin_schedule, timezone=group.timezone)
        working = parse_weekdays(group.working_days)
    except InvalidSchedule:
        return None
    fire = next_fire(schedule, after=now)
    for _ in range(_MAX_SKIPS):
        if fire is None:
            return None
        local = fire.astimezone(schedule.tz)
        if local.weekday() in working:
            return NextCheckin(fire, f"{local:%a %Y-%m-%d %H:%M} ({group.timezone})")
        fire = next_fire(schedule, after=fire)
    return None


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
    now = services.clock()
    with services.session() as session:
        rows, groups = open_commitment_rows(session, user_id=user_id, now=now)
    counts = Counter(row.group for row in rows)
    upcoming = []
    for group in groups.values():
        when = next_checkin_at(group, now=now)
        if when is not None and counts[group.name]:
            upcoming.append((when, group.name, counts[group.name]))
    if not upcoming:
        return [*sections(msg.HOME_CHECKINS), context(msg.HOME_NO_CHECKINS)]
    lines = [
        msg.HOME_CHECKIN_LINE.format(
            when=when.slack_date,
            group=escape_mrkdwn(name),
            count=count,
            s="" if count == 1 else "s",
        )
        for when, name, count in sorted(upcoming, key=lambda item: item[0].at)
    ]
    return sections("\n".join([msg.HOME_CHECKINS, *lines]))
