"""The weekly curator digest: the report as a DM to each of ``ADVISOR_CURATOR_USER_IDS``.

Runs as the scheduler job ``bot.jobs:run_curator_digest`` (leader only: only the leader
runs jobs), on ``ADVISOR_CURATOR_DIGEST_SCHEDULE`` and again at every sweep, so a run missed
by downtime (within ``ADVISOR_MISFIRE_GRACE_SECONDS``) still goes out. Exactly once: each
curator's DM for one fire of the schedule is claimed in ``curator_digest`` before it is sent;
a failure before anything was sent releases the claim for the next sweep. Posts are paced
by the check-ins' shared token bucket.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session

from bot.blocks.curation import DIGEST_TITLE, report_blocks
from bot.curation.source import CurationSource
from bot.scheduling.rate_limit import TokenBucket
from bot.slack import messages as msg
from bot.slack.gateway import GONE_DM_ERRORS, SlackCallFailed, SlackGateway
from checkins.due import latest_fire
from checkins.schedule import parse_schedule, period_key
from storage.curation import (
    claim_curator_digest,
    curator_digests_claimed,
    release_curator_digest,
)
from storage.engine import SessionFactory
from storage.retry import retry_in_session

log = logging.getLogger(__name__)


@dataclass
class CuratorDigestRuntime:
    """What the job needs, installed once by the process that runs the scheduler."""

    sessions: SessionFactory
    slack: SlackGateway
    clock: Callable[[], datetime]
    source: CurationSource
    curators: tuple[str, ...]
    schedule: str
    timezone: str
    grace: timedelta
    playbooks_url: str | None = None
    post_limiter: TokenBucket | None = None
    sleep: Callable[[float], None] = time.sleep


_runtime: CuratorDigestRuntime | None = None


def install(runtime: CuratorDigestRuntime | None) -> None:
    global _runtime
    _runtime = runtime


def run_curator_digest() -> int:
    """Job: DM this period's report to every curator not yet sent it; how many were sent."""
    rt = _runtime
    if rt is None or not rt.curators:
        return 0
    return send_curator_digests(rt)


def send_curator_digests(rt: CuratorDigestRuntime) -> int:
    now = rt.clock()
    fire = latest_fire(rt.schedule, timezone=rt.timezone, now=now, grace=rt.grace)
    if fire is None:
        return 0
    period = period_key(parse_schedule(rt.schedule, timezone=rt.timezone), fire)
    claimed_already = retry_in_session(
        rt.sessions,
        partial(curator_digests_claimed, period=period),
        what="read curator digests",
        sleep=rt.sleep,
    )
    waiting = [curator for curator in rt.curators if curator not in claimed_already]
    if not waiting:  # every sweep in the grace window: no report built for nobody
        return 0
    report = rt.source.report(rt.sessions, now=now)  # read before any claim
    blocks = report_blocks(report, title=DIGEST_TITLE, playbooks_url=rt.playbooks_url)
    sent = 0
    for curator in waiting:
        claimed = retry_in_session(
            rt.sessions,
            partial(_claim, user_id=curator, period=period, now=now),
            what="claim curator digest",
            sleep=rt.sleep,
        )
        if claimed is None:
            continue  # another run (or replica) already sent it
        try:
            if rt.post_limiter is not None:
                rt.post_limiter.acquire()
            rt.slack.post_dm(user=curator, text=msg.CURATOR_DIGEST_FALLBACK, blocks=blocks)
            sent += 1
        except SlackCallFailed as error:
            if error.code in GONE_DM_ERRORS:
                log.warning("curator digest undeliverable (%s)", error.code)
                continue  # the claim stays: no loop on a curator who left
            _release(rt, claimed)
            log.warning("curator digest not sent (%s); retried at the next sweep", error.code)
        except Exception as error:
            _release(rt, claimed)
            log.error("curator digest not sent: unexpected %s", type(error).__name__)
    if sent:
        log.info("curator digest sent", extra={"sent": sent, "period": period})
    return sent


def _claim(session: Session, *, user_id: str, period: str, now: datetime) -> int | None:
    row = claim_curator_digest(session, user_id=user_id, period=period, now=now)
    return None if row is None else row.id


def _release(rt: CuratorDigestRuntime, digest_id: int) -> None:
    retry_in_session(
        rt.sessions,
        lambda s: release_curator_digest(s, digest_id=digest_id),
        what="release curator digest",
        sleep=rt.sleep,
    )
