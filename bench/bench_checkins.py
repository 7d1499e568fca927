"""Check-in benchmark (issue 5 item 8): scheduling 10,000 commitments and a DM fan-out.

Run from the repo root: ``python -m bench.bench_checkins [--quick]``. Results go to
``bench/results/checkins.json``; ``BENCHMARKS.md`` ("Check-ins") explains them.

On SQLite (a temp file) and PostgreSQL (a fresh schema, dropped afterwards):

1. **Scheduling**: 200 groups in six timezones whose check-ins all fire at one UTC instant,
   10,000 open commitments. Times: creating them through the repository functions
   (informational); ``CheckinScheduler.start()`` with the real APScheduler
   ``SQLAlchemyJobStore`` on an empty job store (402 jobs added) and on a restart (all
   kept); ``resync()`` (what the 5-minute resync job costs); one ``plan_due`` pass over
   all groups (must find all 10,000 check-ins) and one for a single group (what each
   group's cron job does).
2. **Fan-out**: 1,000 due check-ins, one owner each, sent by ``bot.followup.jobs.run_due``
   (the real path: claims, the process-wide post limiter, ``SlackGateway.post_dm`` — one
   ``chat.postMessage`` to the user ID, no ``conversations.open`` — and a real
   ``slack_sdk.WebClient`` with its retry handlers) against the loopback fake Slack API
   enforcing Slack-like limits: Tier 3 on ``conversations.open`` (50/min, burst 20; no
   longer called), 1 msg/s per channel and a workspace-wide budget (300/min, burst 20; an
   assumption for Slack's "several hundred per minute") on ``chat.postMessage``.
   ``--post-limit-per-min 0`` turns the app's limiter off. Sweeps repeat until nothing is
   due. Checked: every owner got exactly one ``chat.postMessage`` answered 200, no 429
   reached the DB as a lost check-in, and the check-in rows say sent once each. ``--scale`` multiplies the rate
   limits (time compression) so 1,000 DMs fit in minutes; a short run at the true limit
   is also done so the scaled result can be checked against it.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from bench.common import machine, summary, write_result
from bot.followup import jobs as checkin_jobs
from bot.followup.plan import plan_due
from bot.followup.send import CheckinRuntime, SendReport
from bot.scheduling.leader import FileLeaderLock, LeaderLock, PostgresAdvisoryLock
from bot.scheduling.rate_limit import TokenBucket
from bot.scheduling.scheduler import POST_BURST, CheckinScheduler
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, build_web_client
from checkins.due import DuePolicy
from storage.commitments import create_commitment
from storage.engine import SessionFactory, create_db_engine, make_session_factory, normalise_url
from storage.groups import create_group
from storage.migrate import upgrade_engine
from storage.models import CheckIn, CommitmentBase, WorkingGroupBase
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import Call, FakeSlackAPI, _Failure, _RateLimit, dm_channel_id

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIRE = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # a Monday; every group below fires now
NOW = FIRE + timedelta(minutes=1)
CREATED = FIRE - timedelta(days=7)
DUE = date(2026, 4, 1)  # not overdue: no escalations mixed into the fan-out
# (timezone, check-in schedule) pairs that all fire at FIRE (winter time everywhere).
ZONES = (
    ("America/Los_Angeles", "mon 09:00"),
    ("America/New_York", "mon 12:00"),
    ("UTC", "mon 17:00"),
    ("Europe/London", "mon 17:00"),
    ("Europe/Berlin", "mon 18:00"),
    ("Asia/Kolkata", "mon 22:30"),
)
POLICY = DuePolicy(grace=timedelta(hours=6), reminder_delay=timedelta(hours=24), overdue_days=3)
# Slack's documented limits: conversations.open is Tier 3 ("50+ per minute", bursts
# tolerated); chat.postMessage allows about 1 message per second per channel and "several
# hundred per minute" per workspace (300/min here is our assumption for that).
OPEN_PER_MIN, OPEN_BURST, POST_PER_CHANNEL_PER_S = 50.0, 20, 1.0
POST_WORKSPACE_PER_MIN, POST_WORKSPACE_BURST = 300.0, 20
APP_POST_LIMIT_PER_MIN = float(Settings.model_fields["checkin_posts_per_minute"].default)
MAX_SWEEPS = 20

log = logging.getLogger("bench.checkins")


# --- databases ------------------------------------------------------------------------------


@contextmanager
def database(backend: str) -> Iterator[tuple[str, Engine]]:
    """A freshly migrated database: a temp SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-checkins-")
        url = f"sqlite:///{folder}/advisor.db"
        engine = create_db_engine(url)
        try:
            upgrade_engine(engine)
            yield url, engine
        finally:
            engine.dispose()
            shutil.rmtree(folder, ignore_errors=True)
        return
    schema = f"bench_ci_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(PG_URL))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = (
        make_url(normalise_url(PG_URL))
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    engine = create_db_engine(url)
    try:
        upgrade_engine(engine)
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def leader_lock(backend: str, url: str, engine: Engine) -> LeaderLock:
    """The real lock type; on PostgreSQL a private key, so tests sharing the DB don't collide."""
    if backend == "sqlite":
        return FileLeaderLock(Path(f"{make_url(url).database}.scheduler.lock"))
    return PostgresAdvisoryLock(engine, key=int(uuid.uuid4().int % 2**62))


def seed(
    sessions: SessionFactory, *, groups: int, commitments: int, owner: Callable[[int], str]
) -> list[int]:
    """Groups spread over ZONES and open commitments spread over the groups; group ids."""
    ids: list[int] = []
    with sessions() as session:
        for g in range(groups):
            zone, spec = ZONES[g % len(ZONES)]
            base = WorkingGroupBase(
                name=f"group-{g:04d}",
                channel_id=f"CG{g:05d}",
                lead_user_id=f"ULEAD{g:04d}",
                timezone=zone,
                checkin_schedule=spec,
                digest_schedule="fri 15:00",
            )
            ids.append(create_group(session, group=base, now=CREATED).id or 0)
        for c in range(commitments):
            create_commitment(
                session,
                group_id=ids[c % groups],
                commitment=CommitmentBase(
                    owner_user_id=owner(c), title=f"Commitment {c}", due_date=DUE
                ),
                created_by=owner(c),
                now=CREATED,
            )
    return ids


# --- part 1: scheduling ---------------------------------------------------------------------


def bench_scheduling(backend: str, *, runs: int, groups: int, commitments: int) -> dict[str, Any]:
    with database(backend) as (url, engine):
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        group_ids = seed(
            sessions, groups=groups, commitments=commitments, owner=lambda c: f"U{c % 2000:05d}"
        )
        create_s = time.perf_counter() - started
        log.info("%s: created %d commitments in %.1fs", backend, commitments, create_s)

        def new_scheduler() -> CheckinScheduler:
            return CheckinScheduler(
                database_url=url,
                sessions=sessions,
                misfire_grace_seconds=6 * 3600,
                lock=leader_lock(backend, url, engine),
            )

        cold, warm, resync, jobs, rewritten = [], [], [], 0, []
        for _ in range(runs):
            if inspect(engine).has_table("apscheduler_jobs"):
                with engine.begin() as connection:
                    connection.execute(text("DELETE FROM apscheduler_jobs"))
            for times in (cold, warm):  # empty job store, then a restart with every job kept
                scheduler = new_scheduler()
                t0 = time.perf_counter()
                assert scheduler.start()
                times.append(time.perf_counter() - t0)
                jobs = len(scheduler.scheduler.get_jobs())
                if times is warm:
                    t0 = time.perf_counter()
                    report = scheduler.resync()
                    resync.append(time.perf_counter() - t0)
                    # Must be 0: the sweep and resync intervals have a fixed anchor now.
                    rewritten.append(report.added)
                    assert report.added + report.kept == jobs, report
                scheduler.shutdown()
        assert jobs == 2 * groups + 2, jobs

        plan_all, plan_one, found = [], [], 0
        for r in range(runs):
            with sessions() as session:
                t0 = time.perf_counter()
                plan = plan_due(session, now=NOW, policy=POLICY)
                plan_all.append(time.perf_counter() - t0)
                found = len(plan.checkins)
            with sessions() as session:
                t0 = time.perf_counter()
                one = plan_due(session, now=NOW, policy=POLICY, group_id=group_ids[r % groups])
                plan_one.append(time.perf_counter() - t0)
                assert len(one.checkins) == commitments // groups
        assert found == commitments, f"plan_due found {found} of {commitments} due check-ins"
        result = {
            "groups": groups,
            "commitments": commitments,
            "jobs": jobs,
            "due_found": found,
            "create_s": create_s,
            "create_per_commitment_ms": create_s / commitments * 1000,
            "start_empty_store_s": summary(cold),
            "start_restart_s": summary(warm),
            "resync_s": summary(resync),
            "resync_jobs_rewritten": max(rewritten),
            "plan_due_all_s": summary(plan_all),
            "plan_due_one_group_s": summary(plan_one),
        }
        result["all_group_jobs_at_once_est_s"] = result["plan_due_one_group_s"]["median"] * groups
        return result


# --- part 2: fan-out ------------------------------------------------------------------------


class LimitedFakeSlack(FakeSlackAPI):
    """The shared fake, plus: each request's HTTP status, and per-channel and workspace-wide
    ``chat.postMessage`` limits (a post to a user ID counts against that user's DM)."""

    def __init__(self, *, post_per_channel_per_s: float, post_workspace: _RateLimit) -> None:
        super().__init__()
        self._local = threading.local()
        self._per_channel = post_per_channel_per_s
        self._channel_buckets: dict[str, _RateLimit] = {}
        self._workspace = post_workspace
        self.outcomes: list[tuple[Call, int]] = []

    def _record(self, call: Call) -> None:
        self._local.call = call
        super()._record(call)

    def _pending_failure(self, method: str) -> _Failure | None:
        failure = super()._pending_failure(method)
        call: Call = self._local.call
        with self._cond:
            if failure is None and method == "chat.postMessage":
                channel = dm_channel(str(call.params.get("channel", "")))
                bucket = self._channel_buckets.setdefault(channel, _RateLimit(self._per_channel, 1))
                if not (self._workspace.take() and bucket.take()):
                    failure = _Failure(status=429, error="ratelimited", retry_after=1)
            self.outcomes.append((call, failure.status if failure else 200))
        return failure


def dm_channel(channel: str) -> str:
    """The DM a post lands in: a user ID means the app's DM with that user."""
    return dm_channel_id(channel) if channel[:1] in ("U", "W") else channel


def fanout_once(
    backend: str, *, dms: int, groups: int, scale: float, workers: int, app_limit: float
) -> dict[str, Any]:
    """One fan-out of ``dms`` check-ins; ``workers`` > 1 runs the group jobs concurrently."""
    owners = [f"U{c:06d}" for c in range(dms)]
    workspace = _RateLimit(POST_WORKSPACE_PER_MIN / 60 * scale, POST_WORKSPACE_BURST)
    with (
        database(backend) as (_url, engine),
        LimitedFakeSlack(
            post_per_channel_per_s=POST_PER_CHANNEL_PER_S, post_workspace=workspace
        ) as fake,
    ):
        sessions = make_session_factory(engine)
        group_ids = seed(sessions, groups=groups, commitments=dms, owner=lambda c: owners[c])
        fake.rate_limit(
            "conversations.open", per_second=OPEN_PER_MIN / 60 * scale, burst=OPEN_BURST
        )
        gateway = SlackGateway(build_web_client(token="xoxb-bench", base_url=fake.base_url))
        limiter = None
        if app_limit > 0:  # what start_checkin_scheduler installs, scaled like Slack's limits
            limiter = TokenBucket(per_second=app_limit / 60 * scale, burst=POST_BURST)
        rt = CheckinRuntime(
            sessions=sessions,
            slack=gateway,
            clock=FakeClock(NOW),
            policy=POLICY,
            post_limiter=limiter,
        )
        sweeps: list[dict[str, int]] = []

        def note(report: SendReport, kind: str) -> None:
            sweeps.append(
                {
                    "kind": kind,
                    "sent": report.sent,
                    "skipped": report.skipped,
                    "failed": report.failed,
                    "unreachable": report.unreachable,
                }
            )

        started = time.perf_counter()
        if workers > 1:  # the 'mon 09:00' case: every group's cron job fires in the pool
            with ThreadPoolExecutor(max_workers=workers) as pool:
                reports = list(
                    pool.map(
                        lambda g: checkin_jobs.run_due(rt, group_id=g, digests=False), group_ids
                    )
                )
            total = SendReport()
            for r in reports:
                total.sent += r.sent
                total.skipped += r.skipped
                total.failed += r.failed
                total.unreachable += r.unreachable
            note(total, "group jobs")
        for _ in range(MAX_SWEEPS):  # the periodic sweep, until nothing is left
            report = checkin_jobs.run_due(rt)
            note(report, "sweep")
            if not (report.sent or report.failed):
                break
        wall = time.perf_counter() - started

        with sessions() as session:
            rows = session.exec(select(CheckIn)).all()
        statuses = Counter((c.method, status) for c, status in fake.outcomes)
        delivered = Counter(
            dm_channel(str(c.params.get("channel")))
            for c, status in fake.outcomes
            if c.method == "chat.postMessage" and status == 200
        )
        expected = {dm_channel(o) for o in owners}
        assert len(expected) == dms
        duplicated = {ch: n for ch, n in delivered.items() if n > 1}
        missing = sorted(expected - set(delivered))
        rows_sent = [r for r in rows if r.sent_at is not None]
        row_problems = [
            r.id
            for r in rows
            if r.sent_at is None or r.delivery_error or r.dm_channel not in expected
        ]
        result = {
            "backend": backend,
            "dms": dms,
            "groups": groups,
            "workers": workers,
            "scale": scale,
            "wall_s": wall,
            "dms_per_s": len(rows_sent) / wall,
            "delivered_channels": len(delivered),
            "duplicated_channels": len(duplicated),
            "missing_channels": len(missing),
            "checkin_rows": len(rows),
            "checkin_rows_sent": len(rows_sent),
            "checkin_rows_distinct_commitments": len({r.commitment_id for r in rows}),
            "row_problems": len(row_problems),
            "http_429": {m: n for (m, s), n in statuses.items() if s == 429},
            "http_200": {m: n for (m, s), n in statuses.items() if s == 200},
            "sweeps": sweeps,
            "failed_after_retries": sum(s["failed"] for s in sweeps),
        }
        ok = (
            not duplicated
            and not missing
            and not row_problems
            and len(rows) == dms
            and len(rows_sent) == dms
            and result["checkin_rows_distinct_commitments"] == dms
        )
        result["ok"] = ok
        if not ok:
            result["duplicated_examples"] = dict(list(duplicated.items())[:10])
            result["missing_examples"] = missing[:10]
            result["row_problem_examples"] = row_problems[:10]
        return result


def bench_fanout(
    backend: str,
    *,
    runs: int,
    dms: int,
    groups: int,
    scale: float,
    workers: int,
    app_limit: float = APP_POST_LIMIT_PER_MIN,
) -> dict[str, Any]:
    results = []
    for r in range(runs):
        one = fanout_once(
            backend, dms=dms, groups=groups, scale=scale, workers=workers, app_limit=app_limit
        )
        log.info(
            "%s fan-out %d/%d (%d DMs, x%g, %d workers): %.1fs, %.2f DM/s, 429s %s, ok=%s",
            backend,
            r + 1,
            runs,
            dms,
            scale,
            workers,
            one["wall_s"],
            one["dms_per_s"],
            one["http_429"],
            one["ok"],
        )
        results.append(one)
        if not one["ok"]:
            break  # a lost or doubled DM is a bug: stop and report it, do not average it away
    # The binding limit: the app's own limiter if on, else Slack's workspace-wide budget.
    per_min, burst = (
        (app_limit, POST_BURST)
        if app_limit > 0
        else (
            POST_WORKSPACE_PER_MIN,
            POST_WORKSPACE_BURST,
        )
    )
    floor_s = max(0.0, (dms - burst) / (per_min / 60 * scale))
    return {
        "dms": dms,
        "groups": groups,
        "workers": workers,
        "scale": scale,
        "app_post_limit_per_min": app_limit * scale,
        "app_post_burst": POST_BURST if app_limit > 0 else None,
        "slack_post_workspace_limit_per_min": POST_WORKSPACE_PER_MIN * scale,
        "conversations_open_limit_per_min": OPEN_PER_MIN * scale,
        "rate_floor_s": floor_s,
        "all_ok": all(r["ok"] for r in results),
        "wall_s": summary([r["wall_s"] for r in results]),
        "dms_per_s": summary([r["dms_per_s"] for r in results]),
        "efficiency_vs_limit": statistics.median(floor_s / r["wall_s"] for r in results),
        "http_429_median": {
            m: statistics.median(r["http_429"].get(m, 0) for r in results)
            for m in ("conversations.open", "chat.postMessage")
        },
        "runs": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=5, help="scheduling runs per backend")
    parser.add_argument("--fanout-runs", type=int, default=2)
    parser.add_argument("--dms", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=10.0, help="rate-limit multiplier")
    parser.add_argument("--true-limit-dms", type=int, default=100)
    parser.add_argument("--workers", type=int, default=10, help="concurrent group jobs run")
    parser.add_argument("--quick", action="store_true", help="1 run each, smaller fan-out")
    parser.add_argument("--skip", default="", help="comma list: scheduling,fanout,true,jobs")
    parser.add_argument("--out", default="checkins", help="bench/results/<out>.json")
    parser.add_argument(
        "--post-limit-per-min",
        type=float,
        default=APP_POST_LIMIT_PER_MIN,
        help="the app's check-in post limiter (before scaling); 0 turns it off",
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    for noisy in ("bot", "storage", "apscheduler", "slack_sdk"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    if args.quick:
        args.runs, args.fanout_runs, args.dms, args.true_limit_dms = 1, 1, 300, 40
    skip = set(filter(None, args.skip.split(",")))
    out: dict[str, Any] = {"machine": machine(), "args": vars(args), "backends": {}}
    for backend in args.backends.split(","):
        part: dict[str, Any] = {}
        out["backends"][backend] = part
        if "scheduling" not in skip:
            part["scheduling"] = bench_scheduling(
                backend, runs=args.runs, groups=200, commitments=10_000
            )
            log.info("%s scheduling: %s", backend, part["scheduling"])
        if "fanout" not in skip:
            part["fanout_sequential_scaled"] = bench_fanout(
                backend,
                runs=args.fanout_runs,
                dms=args.dms,
                groups=20,
                scale=args.scale,
                workers=1,
                app_limit=args.post_limit_per_min,
            )
        if "jobs" not in skip:
            part["fanout_group_jobs_scaled"] = bench_fanout(
                backend,
                runs=1,
                dms=args.dms,
                groups=20,
                scale=args.scale,
                workers=args.workers,
                app_limit=args.post_limit_per_min,
            )
        if "true" not in skip:
            part["fanout_sequential_true_limit"] = bench_fanout(
                backend,
                runs=1,
                dms=args.true_limit_dms,
                groups=4,
                scale=1.0,
                workers=1,
                app_limit=args.post_limit_per_min,
            )
        write_result(args.out, out)  # partial results survive a later failure
    path = write_result(args.out, out)
    print(f"-> {path}")
    bad = [
        (b, k)
        for b, part in out["backends"].items()
        for k, v in part.items()
        if k.startswith("fanout") and not v["all_ok"]
    ]
    if bad:
        print(f"LOST OR DUPLICATED DMs in {bad}: see {path}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
