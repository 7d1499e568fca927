"""App Home: the stakeholder map of each group the user leads (a ``bot.home`` section)."""

from __future__ import annotations

from sqlmodel import col, select

from bot.blocks.layout import Block, sections
from bot.blocks.stakeholders import map_text
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.stakeholders.mapping import group_map, members_of
from storage.models import WorkingGroup

HOME_MAPS_LIMIT = 3  # groups shown (App Home holds at most 100 blocks)


def lead_maps(services: Services, user_id: str) -> list[Block]:
    """One map per active group ``user_id`` leads; nothing for someone who leads none."""
    query = (
        select(WorkingGroup)
        .where(WorkingGroup.lead_user_id == user_id, col(WorkingGroup.archived).is_(False))
        .order_by(col(WorkingGroup.name))
        .limit(HOME_MAPS_LIMIT)
    )
    with services.session() as session:
        led = [(group, members_of(session, group)) for group in session.exec(query).all()]
    if not led:
        return []
    blocks = sections(msg.HOME_MAPS)
    for group, members in led:
        text = map_text(group_map(services, group, members), group_name=group.name)
        blocks += sections(f"*{escape_mrkdwn(group.name)}*\n{text}")
    return blocks
