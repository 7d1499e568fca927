"""App Home content: a list of section builders, each ``(services, user_id) -> blocks``.

``HOME_SECTIONS``: a welcome, my open commitments and next check-ins
(``bot.followup.my_commitments``), the stakeholder maps of the groups I lead (none if I
lead none), my past commitments with their status trail, my recent questions, and for
curators and admins the curators' weekly report (``bot.curation.home``). Each reads the database through
storage functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from bot.blocks.layout import Block, context, divider, sections, truncate
from bot.curation.home import curator_summary
from bot.followup.history import past_commitments
from bot.followup.my_commitments import my_commitments, next_checkins
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.stakeholders.home import lead_maps
from storage.models import QuestionLog

Section = Callable[[Services, str], list[Block]]
RECENT_LIMIT = 5


def welcome(services: Services, user_id: str) -> list[Block]:
    return [*sections(msg.HOME_TITLE), *sections(msg.HELP)]


def recent_questions(services: Services, user_id: str) -> list[Block]:
    query = (
        select(QuestionLog)
        .where(QuestionLog.user_id == user_id)
        .order_by(col(QuestionLog.asked_at).desc())
        .limit(RECENT_LIMIT)
    )
    with services.session() as session:
        rows = session.exec(query).all()
    if not rows:
        return [*sections(msg.HOME_RECENT), context(msg.HOME_NO_QUESTIONS)]
    lines = [f"• {escape_mrkdwn(truncate(row.question, 150))}" for row in rows]
    return sections("\n".join([msg.HOME_RECENT, *lines]))


HOME_SECTIONS: list[Section] = [
    welcome,
    my_commitments,
    next_checkins,
    lead_maps,
    past_commitments,
    recent_questions,
    curator_summary,
]


def home_view(services: Services, *, user_id: str) -> dict[str, Any]:
    blocks: list[Block] = []
    for section in HOME_SECTIONS:
        part = section(services, user_id)
        if part and blocks:  # a section with nothing to say (no group led) is left out
            blocks.append(divider())
        blocks += part
    return {"type": "home", "blocks": blocks[:100]}
