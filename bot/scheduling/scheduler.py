"""APScheduler wiring: timers only. What is due is decided by ``checkins.due``.

Designed around APScheduler 3.x's known traps:

* ``job_defaults`` sets a real ``misfire_grace_time`` (the default of 1 s silently drops
  late runs), ``coalesce`` (many missed runs run once) and ``max_instances=1``;
* jobs have explicit ids and are written with ``replace_existing=True`` only when their
  trigger changed, so restarts neither add copies nor reset a pending missed run
  (``bot.scheduling.specs``);
* jobs reference module-level functions by text and carry only ids; on taking the lead
  every job is re-derived from the database (the source of truth) and jobs of deleted
  groups go;
* the job store has its own engine with ``pool_pre_ping``, made only while leading;
* one process per job store runs the scheduler (``bot.scheduling.leader``). Every process with the
  scheduler enabled runs a small watcher thread stepping every half
  ``leader_check_seconds``: the leader checks its lock and, once it is lost (e.g. its
  PostgreSQL connection dropped), stops scheduling and goes back to trying; a follower
  retries the lock and, having won it, waits one more step before scheduling, by which
  time a leader that lost the lock has stopped. So a leader that dies or shuts down is
  replaced within ``leader_check_seconds``, and two schedulers never overlap (as long as
  every process uses the same interval);
* a periodic sweep sends whatever is due, so a run missed beyond the grace, or lost in a
  crash or a hand-over, still goes out once; the claims in the database make repeats
  harmless;
* groups created or changed by any process (another replica included) reach the leader's
  timers within ``change_poll_seconds``: a "changes" thread compares the scheduling columns
  of every group (``storage.groups.schedule_rows``, one small query) with what it saw last;
  on a difference it re-derives the jobs and runs a one-off catch-up of each new or changed
  group's check-ins, so a check-in whose time passed before its job existed (within grace)
  goes out now, once (the claims again), instead of at the next sweep.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, timedelta
from functools import partial
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from bot.followup import jobs as checkin_jobs
from bot.followup.send import CheckinRuntime
from bot.scheduling.leader import LeaderLock, leader_lock_for
from bot.scheduling.rate_limit import TokenBucket
from bot.scheduling.specs import (
    JOB_CHECKINS,
    SyncReport,
    catch_up_job_id,
    desired_jobs,
    sync_jobs,
)
from bot.stakeholders.mapping import missing_labels
from checkins.due import DuePolicy
from storage.engine import SessionFactory, create_db_engine
from storage.groups import list_groups, schedule_rows

log = logging.getLogger(__name__)

POST_BURST = 10
LEADER_CHECK_SECONDS = 30.0
CHANGE_POLL_SECONDS = 5.0


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


class CheckinScheduler:
    """Runs the check-in timers in this process while it holds the leader lock.

    ``start()`` tries to lead at once and starts the watcher thread; ``shutdown()`` stops
    both. Each term as leader gets a fresh APScheduler and job-store engine (a shut-down
    APScheduler cannot start again); both are dropped when the term ends.
    """

    def __init__(
        self,
        *,
        database_url: str,
        sessions: SessionFactory,
        misfire_grace_seconds: int,
        lock: LeaderLock,
        sweep_minutes: float = 5,
        leader_check_seconds: float = LEADER_CHECK_SECONDS,
        change_poll_seconds: float = CHANGE_POLL_SECONDS,
        curator_digest: tuple[str, str] | None = None,
    ) -> None:
        self._curator_digest = curator_digest  # (schedule, timezone) of the curators' digest
        self._database_url = database_url
        self._grace = misfire_grace_seconds
        self._sessions = sessions
        self._lock = lock
        self._sweep_minutes = sweep_minutes
        self._tick = leader_check_seconds / 2  # the watcher's step: check, retry, fence
        self._scheduler: BackgroundScheduler | None = None
        self._store_engine: Engine | None = None
        self._leading = False
        self._guard = threading.RLock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._change_poll = change_poll_seconds
        self._changes: threading.Thread | None = None
        self._seen: dict[int, tuple[object, ...]] | None = None  # groups as last scheduled
        self._sync_lock = threading.Lock()

    @property
    def scheduler(self) -> BackgroundScheduler:
        """This term's APScheduler (made, with its job-store engine, on first use)."""
        with self._guard:
            if self._scheduler is None:
                self._store_engine = create_db_engine(self._database_url)  # own pre-pinged pool
                self._scheduler = build_scheduler(
                    jobstore_engine=self._store_engine, misfire_grace_seconds=self._grace
                )
            return self._scheduler

    @property
    def running(self) -> bool:
        """True while this process runs the timers (it is the leader)."""
        scheduler = self._scheduler
        return self._leading and scheduler is not None and bool(scheduler.running)

    def start(self) -> bool:
        """Try to lead now, then keep watching in the background; True if leading now."""
        won = self._try_lead()
        if self._watcher is None:
            self._stop.clear()
            self._watcher = threading.Thread(
                target=self._watch, name="scheduler-leader", daemon=True
            )
            self._watcher.start()
            self._changes = threading.Thread(
                target=self._watch_changes, name="scheduler-changes", daemon=True
            )
            self._changes.start()
        if not won:
            log.info("another process runs the scheduler; retrying every %s s", self._tick)
        return won

    def resync(self) -> SyncReport:
        """Re-derive the jobs from the database (call after a group changes)."""
        scheduler = self._scheduler
        if scheduler is None:
            return SyncReport()
        with self._sync_lock, self._sessions() as session:
            groups = list(list_groups(session))
            specs = desired_jobs(
                groups, sweep_minutes=self._sweep_minutes, curator_digest=self._curator_digest
            )
            report = sync_jobs(scheduler, specs)
        if report.added or report.removed:
            log.info(
                "scheduler jobs synced", extra={"added": report.added, "removed": report.removed}
            )
        return report

    def poll_changes(self) -> list[int]:
        """Leader only: pick up groups created or changed since the last look (by any
        process): re-derive the jobs and catch up each such group's check-ins now. Returns
        the ids caught up."""
        if not self._leading or self._scheduler is None:
            return []
        with self._sessions() as session:
            rows = schedule_rows(session)
        seen, self._seen = self._seen, rows
        if seen is None or rows == seen:
            return []
        changed = sorted(gid for gid, row in rows.items() if seen.get(gid) != row)
        self.resync()
        for group_id in changed:
            self._catch_up(group_id)
        if changed:
            log.info("picked up new or changed groups", extra={"group_ids": changed})
        return changed

    def _catch_up(self, group_id: int) -> None:
        """Run the group's check-ins once now, in the scheduler's pool (claims dedupe)."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        scheduler.add_job(
            JOB_CHECKINS,
            args=[group_id],
            id=catch_up_job_id(group_id),
            name=catch_up_job_id(group_id),
            replace_existing=True,
        )

    def _watch_changes(self) -> None:
        while not self._stop.wait(self._change_poll):
            try:
                self.poll_changes()
            except Exception as error:  # e.g. the database is briefly unreachable
                log.warning("scheduler change poll failed (%s)", type(error).__name__)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the watcher and the timers, and give up leadership."""
        self._stop.set()
        watcher, self._watcher = self._watcher, None
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join()
        changes, self._changes = self._changes, None
        if changes is not None and changes is not threading.current_thread():
            changes.join()
        self._step_down(wait=wait)

    def _try_lead(self, *, fence: float = 0.0) -> bool:
        """Take the lock and run the timers; with ``fence``, hold the lock that long first."""
        if self._leading:
            return True
        if not self._lock.acquire():
            return False
        # A leader that lost this lock (its connection dropped) stops within one tick of
        # losing it; waiting one tick after winning keeps the two from ever overlapping.
        if fence and (self._stop.wait(fence) or not self._lock.check()):
            self._lock.release()
            return False
        with self._guard:
            try:
                self._lead()
            except BaseException:
                self._step_down(wait=False)
                raise
        return True

    def _lead(self) -> None:
        global _active
        scheduler = self.scheduler
        scheduler.start(paused=True)
        self._leading = True
        _active = self
        with self._sessions() as session:
            self._seen = schedule_rows(session)  # the baseline for ``poll_changes``
        self.resync()
        scheduler.resume()  # pending missed runs fire now (coalesced, within grace)
        log.info("this process runs the check-in scheduler")

    def _step_down(self, *, wait: bool) -> None:
        global _active
        with self._guard:
            if _active is self:
                _active = None
            self._leading = False
            scheduler, engine = self._scheduler, self._store_engine
            self._scheduler = self._store_engine = None
        if scheduler is not None and scheduler.running:
            # APScheduler 3.x's loop runs one last job lookup after shutdown() has stopped the
            # executors; a job due then is "run" into a closed pool and its next run time
            # moves on, so it is lost. Detaching the job store first leaves the stored jobs,
            # missed runs included, for the next leader.
            scheduler.pause()
            scheduler.remove_jobstore("default", shutdown=False)
            scheduler.shutdown(wait=wait)
        if engine is not None:
            engine.dispose()
        self._lock.release()

    def _watch(self) -> None:
        delay = self._tick
        while not self._stop.wait(delay):
            try:
                delay = self._check_or_retry()
            except Exception as error:  # e.g. the database is briefly unreachable
                log.warning("scheduler leadership check failed (%s)", type(error).__name__)
                delay = self._tick

    def _check_or_retry(self) -> float:
        """One watcher step: check the lock (leader) or retry it (follower); the next wait."""
        if not self._leading:
            if self._try_lead(fence=self._tick):
                log.info("took over the check-in scheduler")
            return self._tick
        if self._lock.check():
            return self._tick
        log.warning("lost the scheduler leader lock; stopped scheduling, will retry")
        self._step_down(wait=False)
        return 2 * self._tick  # back off: processes that still reach the database go first


_active: CheckinScheduler | None = None


def resync_active() -> None:
    """Job: re-derive jobs from the database, so group changes made by other processes land.

    Stored as ``"bot.jobs:resync_active"`` (``bot.jobs``).
    """
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

    Returns ``None`` only when disabled in settings; a process that is not the leader gets
    its (waiting) scheduler too, which takes over if the leader goes away. Shut it down.
    """
    settings = services.settings
    if not settings.scheduler_enabled:
        return None
    limiter = TokenBucket(per_second=settings.checkin_posts_per_minute / 60, burst=POST_BURST)
    curator_digest = install_curator_digest(services, limiter)  # same pace as check-ins
    checkin_jobs.install(
        CheckinRuntime(
            sessions=services.sessions,
            slack=services.slack,
            clock=services.clock,
            policy=policy_from(settings),
            post_limiter=limiter,
            metrics=services.metrics,
            missing_stakeholders=partial(missing_labels, services),
            playbooks_url=settings.playbooks_url,
        )
    )
    scheduler = CheckinScheduler(
        database_url=settings.resolved_database_url,
        sessions=services.sessions,
        misfire_grace_seconds=settings.misfire_grace_seconds,
        lock=leader_lock_for(services.engine),
        leader_check_seconds=settings.scheduler_leader_check_seconds,
        change_poll_seconds=settings.scheduler_change_poll_seconds,
        curator_digest=curator_digest,
    )
    services.metrics.watch_leader(lambda: scheduler.running)
    scheduler.start()
    return scheduler


def install_curator_digest(services: Any, limiter: TokenBucket) -> tuple[str, str] | None:
    """Give the curators' digest job its runtime (paced by the check-ins' ``limiter``);
    its ``(schedule, timezone)``, or ``None`` when off, without curators or a report source."""
    from bot.curation import digest  # late: the report's modules load only where needed

    settings = services.settings
    schedule = settings.curator_digest_schedule
    if schedule == "off" or not settings.curator_user_ids or services.curation is None:
        digest.install(None)
        return None
    digest.install(
        digest.CuratorDigestRuntime(
            sessions=services.sessions,
            slack=services.slack,
            clock=services.clock,
            source=services.curation,
            curators=tuple(settings.curator_user_ids),
            schedule=schedule,
            timezone=settings.default_timezone,
            grace=timedelta(seconds=settings.misfire_grace_seconds),
            playbooks_url=settings.playbooks_url,
            post_limiter=limiter,
        )
    )
    return schedule, settings.default_timezone
