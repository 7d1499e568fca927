"""Sending what is due: claim in the database, send through Slack, record the outcome.

Each message follows the claim protocol of ``storage.checkins``: a claim that already
exists means another run sent it (skip); a transient Slack failure, or an unexpected error
before anything was sent, releases the claim so the next sweep retries; a destination that
is gone (owner left, channel archived) is recorded and never retried in a loop. Database
work is retried on transient errors. ``bot.followup.jobs`` keeps one item's unexpected
error from stopping the rest of the run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from bot.blocks.checkin_messages import (
    Block,
    checkin_message,
    digest_message,
    escalation_message,
    playbook_source,
)
from bot.metrics import Metrics
from bot.scheduling.rate_limit import TokenBucket
from bot.slack.gateway import GONE_CHANNEL_ERRORS, GONE_DM_ERRORS, SlackCallFailed, SlackGateway
from checkins.dates import today_in
from checkins.digest import DigestContent, build_digest, latest_checkins
from checkins.due import DueCheckIn, DueDigest, DueEscalation, DuePolicy, DueReminder
from storage import checkins as store
from storage.away import away_periods
from storage.commitments import list_commitments
from storage.engine import SessionFactory
from storage.groups import list_members, mark_channel_problem
from storage.models import Commitment, WorkingGroup, saved_id
from storage.retry import retry_in_session
from storage.updates import claim_checkin_or_count, count_update

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class CheckinRuntime:
    """What the jobs need, taken from ``bot.services.Services`` (never built here)."""

    sessions: SessionFactory
    slack: SlackGateway
    clock: Callable[[], datetime]
    policy: DuePolicy
    sleep: Callable[[float], None] | None = None
    post_limiter: TokenBucket | None = None  # shared by every job of the process
    metrics: Metrics | None = None  # each run's sent/failed/unreachable counts go here
    # the stakeholders missing from a group's table (labels), None when it has no map
    missing_stakeholders: Callable[[WorkingGroup], list[str] | None] | None = None
    playbooks_url: str | None = None  # ADVISOR_PLAYBOOKS_URL: links in check-in DMs

    def db(self, work: Callable[[Session], T], *, what: str) -> T:
        """Run ``work`` in a fresh session, retrying transient database errors."""

        return retry_in_session(self.sessions, work, what=what, sleep=self.sleep or time.sleep)

    def pace(self) -> None:
        """Wait for this process's next ``chat.postMessage`` slot (if a limiter is set)."""
        if self.post_limiter is not None:
            self.post_limiter.acquire()


@dataclass
class SendReport:
    """Counts of one run, for logs and tests."""

    sent: int = 0
    skipped: int = 0
    unreachable: int = 0
    failed: int = 0
    counted: int = 0  # check-ins answered by an earlier ``/advisor update`` (no DM)
    problems: list[str] = field(default_factory=list)


def _dm(rt: CheckinRuntime, *, user: str, text: str, blocks: list[Block]) -> tuple[str, str]:
    """Post to the app's DM with ``user``: one ``chat.postMessage``, no ``conversations.open``."""
    rt.pace()
    return rt.slack.post_dm(user=user, text=text, blocks=blocks)


def _post_or_release(
    rt: CheckinRuntime, post: Callable[[], T], *, release: Callable[[Session], object], what: str
) -> T:
    """Compose and send a claimed message; an unexpected error releases the claim.

    Nothing went out (a Web API failure is a ``SlackCallFailed``, handled by the caller), so
    the next sweep retries; the error goes on up to the run, which logs it and carries on.
    """
    try:
        return post()
    except SlackCallFailed:
        raise
    except Exception:
        rt.db(release, what=f"release {what}")
        raise


def _checkin_dm(
    rt: CheckinRuntime,
    *,
    checkin_id: int,
    user: str,
    commitment: Commitment,
    group: WorkingGroup,
    reminder: bool = False,
) -> tuple[str, str]:
    """Word and send a check-in (or its reminder) DM: the ``(channel, ts)`` it got."""
    text, blocks = checkin_message(
        checkin_id=checkin_id,
        group=group.name,
        title=commitment.title,
        due=commitment.due_date,
        today=today_in(now=rt.clock(), timezone=group.timezone),
        reminder=reminder,
        source=playbook_source(commitment.citations[0], playbooks_url=rt.playbooks_url)
        if commitment.citations
        else None,
    )
    return _dm(rt, user=user, text=text, blocks=blocks)


def send_checkin(
    rt: CheckinRuntime,
    due: DueCheckIn,
    *,
    commitment: Commitment,
    group: WorkingGroup,
    report: SendReport,
) -> None:
    """Claim and send one check-in DM.

    An update given after the plan was made (while earlier DMs were paced out) is found
    under the claim's lock and counted instead: the period is then recorded, not asked.
    """
    claimed = rt.db(
        lambda s: claim_checkin_or_count(
            s,
            commitment_id=due.commitment_id,
            period=due.period,
            scheduled_for=due.scheduled_for,
            now=rt.clock(),
        ),
        what="claim check-in",
    )
    if claimed is None or claimed[0].id is None:
        report.skipped += 1
        return
    row, counted = claimed
    if counted:
        report.counted += 1
        return
    checkin_id = saved_id(row)
    try:
        channel, ts = _post_or_release(
            rt,
            lambda: _checkin_dm(
                rt,
                checkin_id=checkin_id,
                user=due.owner_user_id,
                commitment=commitment,
                group=group,
            ),
            release=lambda s: store.release_claim(s, row=row),
            what="check-in",
        )
    except SlackCallFailed as error:
        _checkin_failed(rt, row, error, report)
        return
    rt.db(
        lambda s: store.mark_checkin_sent(
            s, checkin_id=checkin_id, sent_at=rt.clock(), dm_channel=channel, message_ts=ts
        ),
        what="record check-in",
    )
    report.sent += 1


def count_update_checkin(
    rt: CheckinRuntime, due: DueCheckIn, *, update_id: int, report: SendReport
) -> None:
    """Record this period's check-in from the owner's pending update instead of asking."""
    row = rt.db(
        lambda s: count_update(
            s,
            update_id=update_id,
            period=due.period,
            scheduled_for=due.scheduled_for,
            now=rt.clock(),
        ),
        what="count update",
    )
    if row is None:
        report.skipped += 1
        return
    report.counted += 1


def _checkin_failed(
    rt: CheckinRuntime, row: store.CheckIn, error: SlackCallFailed, report: SendReport
) -> None:
    checkin_id = row.id
    if error.code in GONE_DM_ERRORS and checkin_id is not None:
        rt.db(
            lambda s: store.mark_checkin_undeliverable(s, checkin_id=checkin_id, error=error.code),
            what="record undeliverable check-in",
        )
        log.warning("check-in owner unreachable", extra={"checkin_id": row.id, "code": error.code})
        report.unreachable += 1
        report.problems.append(error.code)
        return
    rt.db(lambda s: store.release_claim(s, row=row), what="release check-in")
    log.warning("check-in not sent; will retry", extra={"checkin_id": row.id, "code": error.code})
    report.failed += 1


def send_reminder(
    rt: CheckinRuntime,
    due: DueReminder,
    *,
    commitment: Commitment,
    group: WorkingGroup,
    report: SendReport,
) -> None:
    """Send the one reminder for an unanswered check-in."""
    if not rt.db(
        lambda s: store.claim_reminder(s, checkin_id=due.checkin_id, now=rt.clock()),
        what="claim reminder",
    ):
        report.skipped += 1
        return
    release = lambda s: store.release_reminder(s, checkin_id=due.checkin_id)  # noqa: E731
    try:
        _post_or_release(
            rt,
            lambda: _checkin_dm(
                rt,
                checkin_id=due.checkin_id,
                user=due.owner_user_id,
                commitment=commitment,
                group=group,
                reminder=True,
            ),
            release=release,
            what="reminder",
        )
    except SlackCallFailed as error:
        if error.code not in GONE_DM_ERRORS:
            rt.db(release, what="release reminder")
        report.failed += 1
        return
    report.sent += 1


def send_escalation(
    rt: CheckinRuntime,
    due: DueEscalation,
    *,
    commitment: Commitment,
    group: WorkingGroup,
    report: SendReport,
) -> None:
    """DM the group lead about an overdue commitment, once per period."""
    row = rt.db(
        lambda s: store.claim_escalation(
            s, commitment_id=due.commitment_id, period=due.period, now=rt.clock()
        ),
        what="claim escalation",
    )
    if row is None:
        report.skipped += 1
        return

    def post() -> tuple[str, str]:
        text, blocks = escalation_message(
            group=group.name,
            title=commitment.title,
            owner_user_id=commitment.owner_user_id,
            due=commitment.due_date,
            days_overdue=due.days_overdue,
        )
        return _dm(rt, user=due.lead_user_id, text=text, blocks=blocks)

    try:
        _post_or_release(
            rt, post, release=lambda s: store.release_claim(s, row=row), what="escalation"
        )
    except SlackCallFailed as error:
        if error.code not in GONE_DM_ERRORS:
            rt.db(lambda s: store.release_claim(s, row=row), what="release escalation")
        log.warning("escalation not sent", extra={"group_id": group.id, "code": error.code})
        report.failed += 1
        return
    report.sent += 1


def post_digest(
    rt: CheckinRuntime, due: DueDigest, *, group: WorkingGroup, report: SendReport
) -> None:
    """Post the group's digest to its channel; an archived channel marks the group."""
    now = rt.clock()
    # Read first: a claim made before a failed read would lose this period's digest for good.
    content = rt.db(lambda s: _digest_content(s, group, now), what="digest")
    content = replace(content, missing=_missing(rt, group))
    text, blocks = digest_message(content)
    row = rt.db(
        lambda s: store.claim_digest(s, group_id=due.group_id, period=due.period, now=now),
        what="claim digest",
    )
    if row is None:
        report.skipped += 1
        return

    def post() -> object:
        rt.pace()
        return rt.slack.post_message(channel=group.channel_id, text=text, blocks=blocks)

    try:
        _post_or_release(rt, post, release=lambda s: store.release_claim(s, row=row), what="digest")
    except SlackCallFailed as error:
        _digest_failed(rt, row, group, error, report)
        return
    if group.channel_error:
        rt.db(
            lambda s: mark_channel_problem(s, group_id=due.group_id, error=None, now=now),
            what="clear channel problem",
        )
    report.sent += 1


def _missing(rt: CheckinRuntime, group: WorkingGroup) -> list[str]:
    """The digest's "still missing" labels; a map that fails leaves the line out, never
    the digest."""
    if rt.missing_stakeholders is None:
        return []
    try:
        return rt.missing_stakeholders(group) or []
    except Exception as error:
        log.warning(
            "stakeholder map skipped: %s", type(error).__name__, extra={"group_id": group.id}
        )
        return []


def _digest_content(session: Session, group: WorkingGroup, now: datetime) -> DigestContent:
    commitments = list_commitments(session, group_id=group.id)
    ids = [c.id for c in commitments if c.id is not None]
    latest = latest_checkins(store.checkins_for(session, commitment_ids=ids))
    today = today_in(now=now, timezone=group.timezone)
    content = build_digest(
        group=group, commitments=commitments, latest=latest, today=today, now=now
    )
    people = {m.user_id for m in list_members(session, group_id=saved_id(group))}
    people |= {c.owner_user_id for c in commitments}
    away = away_periods(session, at=now, user_ids=people)
    return replace(content, away=sorted((user, period.until) for user, period in away.items()))


def _digest_failed(
    rt: CheckinRuntime,
    row: store.Digest,
    group: WorkingGroup,
    error: SlackCallFailed,
    report: SendReport,
) -> None:
    if error.code in GONE_CHANNEL_ERRORS:
        rt.db(
            lambda s: mark_channel_problem(
                s, group_id=row.group_id, error=error.code, now=rt.clock()
            ),
            what="mark channel problem",
        )
        log.warning("group channel unusable", extra={"group_id": group.id, "code": error.code})
        report.unreachable += 1
        report.problems.append(error.code)
        return
    rt.db(lambda s: store.release_claim(s, row=row), what="release digest")
    report.failed += 1
