"""My commitments with their status trail: ``/advisor commitments --all`` and App Home's
past commitments (``past_commitments``, a ``bot.home`` section). Read side only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.blocks.checkins import history_lines
from bot.blocks.layout import Block, context, sections
from bot.services import Services
from bot.slack import messages as msg
from checkins.history import TrailEntry, status_trail
from storage.checkins import checkins_for
from storage.commitments import list_commitments
from storage.groups import get_group
from storage.models import Commitment, CommitmentStatus
from storage.updates import updates_for

HOME_PAST_LIMIT = 10
HISTORY_LIMIT = 25  # `/advisor commitments --all`: newest first, within one Slack message


@dataclass(frozen=True)
class HistoryRow:
    commitment: Commitment
    group: str
    trail: list[TrailEntry]


def history_rows(session: Session, *, user_id: str, past_only: bool = False) -> list[HistoryRow]:
    """The user's commitments, newest due date first, each with its trail."""
    owned = list(list_commitments(session, owner_user_id=user_id))
    if past_only:
        owned = [c for c in owned if c.status != CommitmentStatus.OPEN]
    ids = [c.id for c in owned if c.id is not None]
    checkins = checkins_for(session, commitment_ids=ids)
    updates = updates_for(session, commitment_ids=ids)
    names: dict[int, str] = {}
    rows = []
    for commitment in reversed(owned):
        if commitment.group_id not in names:
            group = get_group(session, group_id=commitment.group_id)
            names[commitment.group_id] = group.name if group else str(commitment.group_id)
        trail = status_trail(commitment, checkins, updates)
        rows.append(HistoryRow(commitment, names[commitment.group_id], trail))
    return rows


def history_text(rows: list[HistoryRow]) -> str:
    if not rows:
        return msg.COMMITMENTS_ALL_NONE
    shown, more = rows[:HISTORY_LIMIT], len(rows) - HISTORY_LIMIT
    lines = history_lines([(r.commitment, r.group, r.trail) for r in shown])
    if more > 0:
        lines.append(msg.HISTORY_MORE.format(count=more, s="" if more == 1 else "s"))
    return "\n".join([msg.COMMITMENTS_ALL_HEADER, *lines])


def past_commitments(services: Services, user_id: str) -> list[Block]:
    """App Home: my finished commitments and how they got there."""
    with services.session() as session:
        rows = history_rows(session, user_id=user_id, past_only=True)[:HOME_PAST_LIMIT]
    if not rows:
        return [*sections(msg.HOME_HISTORY), context(msg.COMMITMENTS_ALL_NONE)]
    lines = history_lines([(r.commitment, r.group, r.trail) for r in rows])
    return sections("\n".join([msg.HOME_HISTORY, *lines]))
