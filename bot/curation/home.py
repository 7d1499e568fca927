"""The curators' App Home section: the digest's summary, for curators and admins only."""

from __future__ import annotations

import logging

from bot.blocks.curation import HOME_TITLE, report_blocks
from bot.blocks.layout import Block, context
from bot.services import Services

log = logging.getLogger(__name__)
REPORT_UNAVAILABLE = "_The curators' report could not be read just now; `advisor report` shows it._"


def curator_summary(services: Services, user_id: str) -> list[Block]:
    """The weekly report's summary; nothing for anyone who is not a curator or an admin."""
    settings = services.settings
    if user_id not in {*settings.curator_user_ids, *settings.admin_user_ids}:
        return []
    source = services.curation
    if source is None:
        return []
    try:
        report = source.report(services.sessions, now=services.clock())
    except Exception as error:  # App Home must still open
        log.warning("curator report failed: %s", type(error).__name__)
        return [context(REPORT_UNAVAILABLE)]
    return report_blocks(report, title=HOME_TITLE, playbooks_url=settings.playbooks_url, limit=5)[
        :40
    ]
