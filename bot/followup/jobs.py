"""The functions APScheduler runs, stored by the names in ``bot.jobs`` (``"bot.jobs:run_sweep"``).

Jobs carry only ids; the objects they need (sessions, the Slack gateway, the clock, the
policy) are installed once at start with ``install(runtime)`` by the process that runs the
scheduler. ``bot.scheduling.scheduler`` re-derives every job from the database at start.

* ``run_group_checkins(group_id)``: a group's check-in schedule fired;
* ``run_group_digest(group_id)``: a group's digest schedule fired;
* ``run_sweep()``: every few minutes, everything due (after downtime, this is what sends
  each missed check-in exactly once; the claims in the database are the final guard).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from bot.followup.plan import DuePlan, plan_due
from bot.followup.send import (
    CheckinRuntime,
    SendReport,
    count_update_checkin,
    post_digest,
    send_checkin,
    send_escalation,
    send_reminder,
)

log = logging.getLogger(__name__)
_runtime: CheckinRuntime | None = None


def install(runtime: CheckinRuntime | None) -> None:
    """Give the jobs their runtime (``None`` uninstalls it, for tests and shutdown)."""
    global _runtime
    _runtime = runtime


def installed() -> CheckinRuntime:
    """The installed runtime; a job that runs without one is a wiring bug."""
    if _runtime is None:
        raise RuntimeError("bot.followup.jobs.install(runtime) was not called")
    return _runtime


def run_due(rt: CheckinRuntime, *, group_id: int | None = None, digests: bool = True) -> SendReport:
    """Send everything due now (for one group or all); return what happened."""
    now = rt.clock()
    plan = rt.db(lambda s: plan_due(s, now=now, policy=rt.policy, group_id=group_id), what="plan")
    report = SendReport()
    _send_plan(rt, plan, report, digests=digests)
    if rt.metrics is not None:
        rt.metrics.checkins_done(
            sent=report.sent, failed=report.failed, unreachable=report.unreachable
        )
    if report.sent or report.failed or report.unreachable:
        log.info(
            "check-in run",
            extra={
                "sent": report.sent,
                "skipped": report.skipped,
                "failed": report.failed,
                "unreachable": report.unreachable,
            },
        )
    return report


def _send_plan(rt: CheckinRuntime, plan: DuePlan, report: SendReport, *, digests: bool) -> None:
    """Send each item; one item's unexpected error is logged and the rest still go."""
    for due in plan.checkins:
        commitment, group = plan.commitments[due.commitment_id], plan.groups[due.group_id]
        send = partial(send_checkin, rt, due, commitment=commitment, group=group, report=report)
        _isolated(report, "check-in", send, commitment_id=due.commitment_id)
    for due, update_id in plan.counted:
        count = partial(count_update_checkin, rt, due, update_id=update_id, report=report)
        _isolated(report, "check-in", count, commitment_id=due.commitment_id)
    for reminder in plan.reminders:
        commitment = plan.commitments[reminder.commitment_id]
        group = plan.groups[commitment.group_id]
        send = partial(
            send_reminder, rt, reminder, commitment=commitment, group=group, report=report
        )
        _isolated(report, "reminder", send, checkin_id=reminder.checkin_id)
    for escalation in plan.escalations:
        commitment = plan.commitments[escalation.commitment_id]
        group = plan.groups[escalation.group_id]
        send = partial(
            send_escalation, rt, escalation, commitment=commitment, group=group, report=report
        )
        _isolated(report, "escalation", send, commitment_id=escalation.commitment_id)
    for digest in plan.digests if digests else []:
        send = partial(post_digest, rt, digest, group=plan.groups[digest.group_id], report=report)
        _isolated(report, "digest", send, group_id=digest.group_id)


def _isolated(report: SendReport, kind: str, send: Callable[[], None], **ids: int) -> None:
    """Run one item's ``send``; an unexpected error is counted and logged by its type only
    (its message may quote titles or notes), and the run goes on."""
    try:
        send()
    except Exception as error:
        report.failed += 1
        log.error(
            "%s not sent: unexpected %s; the run goes on",
            kind,
            type(error).__name__,
            extra={"error_type": type(error).__name__, **ids},
        )


def run_group_checkins(group_id: int) -> None:
    """Job: a group's check-in time came."""
    run_due(installed(), group_id=group_id, digests=False)


def run_group_digest(group_id: int) -> None:
    """Job: a group's digest time came."""
    run_due(installed(), group_id=group_id)


def run_sweep() -> None:
    """Job: send whatever is due and was not sent (missed runs, reminders, retries)."""
    run_due(installed())
