"""What the job store should hold: job specs derived from the database, and syncing them.

Pure of any running scheduler (``bot.scheduling.scheduler`` runs them). The textual function
references below are what APScheduler stores in each job row (``func`` is pickled as the
string); they name ``bot.jobs``, a module that exists only to be that path, so moving code
never breaks a stored job. ``tests/bot/scheduling/test_stored_jobs.py`` runs a job store
written with the references of 0.1.0.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from checkins.errors import InvalidSchedule
from checkins.schedule import DAY_NAMES, parse_schedule
from storage.models import WorkingGroup

log = logging.getLogger(__name__)

# The names stored in job rows: ``bot.jobs`` never moves (see its docstring).
JOB_CHECKINS = "bot.jobs:run_group_checkins"
JOB_DIGEST = "bot.jobs:run_group_digest"
JOB_SWEEP = "bot.jobs:run_sweep"
JOB_RESYNC = "bot.jobs:resync_active"
JOB_CURATOR_DIGEST = "bot.jobs:run_curator_digest"
# Names in rows written by 0.1.0, still loading through stand-in modules.
LEGACY_JOB_REFS = (
    "bot.checkin_jobs:run_group_checkins",
    "bot.checkin_jobs:run_group_digest",
    "bot.checkin_jobs:run_sweep",
    "bot.scheduler:resync_active",
)
SWEEP_JOB_ID = "checkins:sweep"
RESYNC_JOB_ID = "checkins:resync"
CURATOR_DIGEST_JOB_ID = "curators:digest"
CURATOR_SWEEP_JOB_ID = "curators:sweep"
OWNED_PREFIXES = ("group:", "checkins:", "curators:")
# Interval jobs fire at anchor + k * interval: the same trigger on every sync and restart.
INTERVAL_ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class JobSpec:
    """One job as the database says it should be."""

    id: str
    func: str
    trigger: Any
    args: tuple[int, ...] = ()


def checkin_job_id(group_id: int) -> str:
    return f"group:{group_id}:checkins"


def digest_job_id(group_id: int) -> str:
    return f"group:{group_id}:digest"


def _join(values: Iterable[int] | None) -> str | None:
    return None if values is None else ",".join(str(v) for v in sorted(values))


def cron_trigger(spec: str, *, timezone: str) -> CronTrigger:
    """An APScheduler cron trigger firing when ``checkins.schedule`` says ``spec`` fires."""
    schedule = parse_schedule(spec, timezone=timezone)
    weekdays = schedule.weekdays
    return CronTrigger(
        minute=_join(schedule.minutes),
        hour=_join(schedule.hours),
        day=_join(schedule.days),
        month=_join(schedule.months),
        day_of_week=None if weekdays is None else ",".join(DAY_NAMES[d] for d in sorted(weekdays)),
        timezone=schedule.tz,
    )


def desired_jobs(
    groups: Iterable[WorkingGroup],
    *,
    sweep_minutes: float,
    curator_digest: tuple[str, str] | None = None,
) -> list[JobSpec]:
    """Every job the database calls for (groups with unusable schedules are logged, skipped).

    ``curator_digest`` is ``(schedule, timezone)`` of the curators' weekly digest: a cron
    job at its time and a sweep that sends a run missed by downtime (the claims dedupe)."""
    sweep = IntervalTrigger(minutes=sweep_minutes, start_date=INTERVAL_ANCHOR, timezone=UTC)
    specs = [JobSpec(SWEEP_JOB_ID, JOB_SWEEP, sweep), JobSpec(RESYNC_JOB_ID, JOB_RESYNC, sweep)]
    if curator_digest is not None:
        schedule, timezone = curator_digest
        digest = cron_trigger(schedule, timezone=timezone)
        specs.append(JobSpec(CURATOR_DIGEST_JOB_ID, JOB_CURATOR_DIGEST, digest))
        specs.append(JobSpec(CURATOR_SWEEP_JOB_ID, JOB_CURATOR_DIGEST, sweep))
    for group in groups:
        if group.id is None or group.archived:
            continue
        try:
            checkin = cron_trigger(group.checkin_schedule, timezone=group.timezone)
            digest = cron_trigger(group.digest_schedule, timezone=group.timezone)
        except InvalidSchedule as error:
            log.warning(
                "group schedule unusable", extra={"group_id": group.id, "error": str(error)}
            )
            continue
        specs.append(JobSpec(checkin_job_id(group.id), JOB_CHECKINS, checkin, (group.id,)))
        specs.append(JobSpec(digest_job_id(group.id), JOB_DIGEST, digest, (group.id,)))
    return specs


@dataclass
class SyncReport:
    added: int = 0
    kept: int = 0
    removed: int = 0
    added_ids: list[str] = field(default_factory=list)


def sync_jobs(scheduler: BaseScheduler, specs: list[JobSpec]) -> SyncReport:
    """Make the job store match ``specs``: add or replace changed jobs, drop stale ones."""
    report = SyncReport()
    wanted = {spec.id: spec for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted and job.id.startswith(OWNED_PREFIXES):
            scheduler.remove_job(job.id)
            report.removed += 1
    for spec in specs:
        job = scheduler.get_job(spec.id)
        same = job is not None and (job.func_ref, repr(job.trigger), tuple(job.args)) == (
            spec.func,
            repr(spec.trigger),
            spec.args,
        )
        if same:
            report.kept += 1
            continue
        scheduler.add_job(
            spec.func,
            trigger=spec.trigger,
            args=list(spec.args),
            id=spec.id,
            name=spec.id,
            replace_existing=True,
        )
        report.added += 1
        report.added_ids.append(spec.id)
    return report


def catch_up_job_id(group_id: int) -> str:
    """A one-off run of a group's check-ins (not an owned prefix: syncing leaves it be)."""
    return f"catchup:{group_id}:checkins"
