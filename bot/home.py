"""App Home content: a list of section builders, each ``(services, user_id) -> blocks``.

``HOME_SECTIONS``: a welcome, my open commitments and next check-ins
(``bot.followup.my_commitments``), my recent questions. Each reads the database through
storage functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from bot.blocks.layout import Block, context, divider, sections, truncate
from bot.followup.my_commitments import my_commitments, next_checkins
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
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


HOME_SECTIONS: list[Section] = [welcome, my_commitments, next_checkins, recent_questions]


def home_view(services: Services, *, user_id: str) -> dict[str, Any]:
    blocks: list[Block] = []
    for index, section in enumerate(HOME_SECTIONS):
        if index:
            blocks.append(divider())
        blocks += section(services, user_id)
    return {"type": "home", "blocks": blocks[:100]}
