"""APScheduler wiring: timers only. What is due is decided by ``checkins.due``.

Designed around APScheduler 3.x's known traps:

* ``job_defaults`` sets a real ``misfire_grace_time`` (the default of 1 s silently drops
  late runs), ``coalesce`` (many missed runs run once) and ``max_instances=1``;
* jobs have explicit ids and are written with ``replace_existing=True`` only when their
  trigger changed, so restarts neither add copies nor reset a pending missed run; the
  sweep and resync intervals count from a fixed anchor (an ``IntervalTrigger`` otherwise
  starts "now + interval", which would count as a change on every sync);
* jobs reference module-level functions by text and carry only ids; at start every job is
  re-derived from the database (the source of truth) and jobs of deleted groups go;
* the job store has its own engine with ``pool_pre_ping``;
* one process per database runs the scheduler (``bot.leader``);
* a periodic sweep sends whatever is due, so a run missed beyond the grace, or lost in a
  crash, still goes out once; the claims in the database make repeats harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from bot import checkin_jobs
from bot.checkin_send import CheckinRuntime
from bot.leader import LeaderLock, leader_lock_for
from bot.rate_limit import TokenBucket
from checkins.due import DuePolicy
from checkins.errors import InvalidSchedule
from checkins.schedule import DAY_NAMES, parse_schedule
from storage.engine import SessionFactory, create_db_engine
from storage.groups import list_groups
from storage.models import WorkingGroup

log = logging.getLogger(__name__)

JOB_CHECKINS = "bot.checkin_jobs:run_group_checkins"
JOB_DIGEST = "bot.checkin_jobs:run_group_digest"
JOB_SWEEP = "bot.checkin_jobs:run_sweep"
JOB_RESYNC = "bot.scheduler:resync_active"
SWEEP_JOB_ID = "checkins:sweep"
RESYNC_JOB_ID = "checkins:resync"
OWNED_PREFIXES = ("group:", "checkins:")
# Interval jobs fire at anchor + k * interval: the same trigger on every sync and restart.
INTERVAL_ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
POST_BURST = 10


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


def desired_jobs(groups: Iterable[WorkingGroup], *, sweep_minutes: float) -> list[JobSpec]:
    """Every job the database calls for (groups with unusable schedules are logged, skipped)."""
    sweep = IntervalTrigger(minutes=sweep_minutes, start_date=INTERVAL_ANCHOR, timezone=UTC)
    specs = [JobSpec(SWEEP_JOB_ID, JOB_SWEEP, sweep), JobSpec(RESYNC_JOB_ID, JOB_RESYNC, sweep)]
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


def build_scheduler(*, jobstore_engine: Engine, misfire_grace_seconds: int) -> BackgroundScheduler:
    """A BackgroundScheduler with a SQLAlchemy job store in the app's database."""
    store = SQLAlchemyJobStore(engine=jobstore_engine)
    return BackgroundScheduler(
        jobstores={"default": store},
        job_defaults={
            "coalesce": True,
            "misfire_grace_time": misfire_grace_seconds,
            "max_instances": 1,
        },
        timezone=UTC,
    )


@dataclass
class SyncReport:
    added: int = 0
    kept: int = 0
    removed: int = 0


def sync_jobs(scheduler: BackgroundScheduler, specs: list[JobSpec]) -> SyncReport:
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
    return report


class CheckinScheduler:
    """Runs the check-in timers in this process, if it wins the leader lock."""

    def __init__(
        self,
        *,
        database_url: str,
        sessions: SessionFactory,
        misfire_grace_seconds: int,
        lock: LeaderLock,
        sweep_minutes: float = 5,
    ) -> None:
        self._store_engine = create_db_engine(database_url)  # its own pool, pre-pinged
        self.scheduler = build_scheduler(
            jobstore_engine=self._store_engine, misfire_grace_seconds=misfire_grace_seconds
        )
        self._sessions = sessions
        self._lock = lock
        self._sweep_minutes = sweep_minutes

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    def start(self) -> bool:
        """Take the lock, derive jobs from the database, then run; False if not leader."""
        if not self._lock.acquire():
            log.info("another process runs the scheduler; this one will not")
            return False
        self.scheduler.start(paused=True)
        self.resync()
        self.scheduler.resume()  # pending missed runs fire now (coalesced, within grace)
        global _active
        _active = self
        return True

    def resync(self) -> SyncReport:
        """Re-derive the jobs from the database (call after a group changes)."""
        with self._sessions() as session:
            groups = list(list_groups(session))
        report = sync_jobs(self.scheduler, desired_jobs(groups, sweep_minutes=self._sweep_minutes))
        if report.added or report.removed:
            log.info(
                "scheduler jobs synced", extra={"added": report.added, "removed": report.removed}
            )
        return report

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the timers and give up leadership."""
        global _active
        if _active is self:
            _active = None
        if self.scheduler.running:
            # APScheduler 3.x's loop runs one last job lookup after shutdown() has stopped the
            # executors; a job due then is "run" into a closed pool and its next run time
            # moves on, so it is lost. Detaching the job store first leaves the stored jobs,
            # missed runs included, for the next leader.
            self.scheduler.pause()
            self.scheduler.remove_jobstore("default", shutdown=False)
            self.scheduler.shutdown(wait=wait)
        self._store_engine.dispose()
        self._lock.release()


_active: CheckinScheduler | None = None


def resync_active() -> None:
    """Job: re-derive jobs from the database, so group changes made by other processes land."""
    if _active is not None:
        _active.resync()


def policy_from(settings: Any) -> DuePolicy:
    """The due-rule knobs from ``bot.settings.Settings``."""
    return DuePolicy(
        grace=timedelta(seconds=settings.misfire_grace_seconds),
        reminder_delay=timedelta(hours=settings.reminder_delay_hours),
        overdue_days=settings.escalation_overdue_days,
    )


def start_checkin_scheduler(services: Any) -> CheckinScheduler | None:
    """Install the jobs' runtime from ``bot.services.Services`` and start the scheduler.

    Returns ``None`` when disabled in settings or when another process is the leader.
    """
    settings = services.settings
    if not settings.scheduler_enabled:
        return None
    checkin_jobs.install(
        CheckinRuntime(
            sessions=services.sessions,
            slack=services.slack,
            clock=services.clock,
            policy=policy_from(settings),
            post_limiter=TokenBucket(
                per_second=settings.checkin_posts_per_minute / 60, burst=POST_BURST
            ),
        )
    )
    scheduler = CheckinScheduler(
        database_url=settings.resolved_database_url,
        sessions=services.sessions,
        misfire_grace_seconds=settings.misfire_grace_seconds,
        lock=leader_lock_for(services.engine),
    )
    return scheduler if scheduler.start() else None
