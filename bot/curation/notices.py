"""Telling the curators that the playbooks have errors: one DM each per distinct set of
errors, claimed in the database (``curator_digest``, period ``errors:<hash>``) so several
replicas that each notice the same errors send one DM."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from sqlmodel import Session

from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import SlackCallFailed, SlackGateway
from storage.curation import claim_curator_digest
from storage.engine import SessionFactory
from storage.retry import retry_in_session

log = logging.getLogger(__name__)
MAX_PROBLEMS_SHOWN = 20


def problems_text(problems: Sequence[str]) -> str:
    shown = [f"• {escape_mrkdwn(p)}" for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        shown.append(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    return msg.REINDEX_PROBLEMS.format(problems="\n".join(shown))


def tell_curators(
    problems: Sequence[str],
    *,
    curators: Sequence[str],
    sessions: SessionFactory,
    slack: SlackGateway,
    clock: Callable[[], datetime],
) -> int:
    """DM each curator the errors unless this set was already sent; how many DMs went."""
    key = "errors:" + hashlib.sha256("\n".join(problems).encode()).hexdigest()[:24]
    text = problems_text(problems)
    sent = 0
    for curator in curators:
        claimed = retry_in_session(
            sessions, partial(_claim, user_id=curator, period=key, now=clock()), what="claim"
        )
        if not claimed:
            continue
        try:
            slack.post_dm(user=curator, text=text)
            sent += 1
        except SlackCallFailed as error:
            log.warning("could not tell a curator about playbook errors (%s)", error.code)
    return sent


def _claim(session: Session, *, user_id: str, period: str, now: datetime) -> bool:
    return claim_curator_digest(session, user_id=user_id, period=period, now=now) is not None
