"""The composition root: everything the Slack surface and the CLI use, built once.

Listeners and jobs receive a ``Services``; they never construct engines, clients or pools.
Tests build one with ``build_services(settings, advisor=FakeAnswerer(), clock=FakeClock(..))``.

The engine bounds every database wait by ``ADVISOR_DATABASE_TIMEOUT_SECONDS``. ``health``
reports the database as degraded when a probe of the request path's first table does not
answer within ``HEALTH_PROBE_SECONDS`` (a lock on it) or when the request path's last
database call failed within ``DB_TROUBLE_WINDOW_SECONDS`` with no success since.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text
from sqlmodel import Session

from bot.answers.deadlines import Deadlines
from bot.answers.workers import WorkerPool
from bot.clock import Clock, utc_clock
from bot.metrics import Metrics
from bot.ports import Answerer
from bot.settings import Settings
from bot.slack.gateway import SlackCallFailed, SlackGateway, build_web_client
from storage.engine import SessionFactory, create_db_engine, make_session_factory
from storage.migrate import upgrade_engine

if TYPE_CHECKING:
    from bot.answers.live import Reloader
    from bot.curation.source import CurationSource

log = logging.getLogger(__name__)
AUTH_CACHE_SECONDS = 60.0
HEALTH_PROBE_SECONDS = 1.0
DB_TROUBLE_WINDOW_SECONDS = 60.0


class DatabaseTrouble:
    """What the request path last saw from the database: for ``/healthz``, never raises."""

    def __init__(self, *, window: float = DB_TROUBLE_WINDOW_SECONDS) -> None:
        self._window = window
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._error = ""
        self._failures = 0

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._failed_at, self._error = time.monotonic(), type(error).__name__
            self._failures += 1

    def succeeded(self) -> None:
        with self._lock:
            self._failed_at, self._failures = None, 0

    def report(self) -> dict[str, Any] | None:
        """``None`` when fine; else the last error type and the failures since a success."""
        with self._lock:
            if self._failed_at is None or time.monotonic() - self._failed_at > self._window:
                return None
            return {"error": self._error, "recent_failures": self._failures}


@dataclass
class Services:
    """The shared, long-lived objects of one running advisor."""

    settings: Settings
    engine: Engine
    sessions: SessionFactory
    advisor: Answerer
    slack: SlackGateway
    clock: Clock
    workers: WorkerPool
    deadlines: Deadlines = field(default_factory=Deadlines)
    db_trouble: DatabaseTrouble = field(default_factory=DatabaseTrouble)
    metrics: Metrics = field(default_factory=Metrics)
    # Curators' loop (issue 13): the live re-index of the real engine (None with a test
    # answerer) and the report's playbooks + model (None: no curator report in App Home).
    reloader: Reloader | None = None
    curation: CurationSource | None = None
    _auth: dict[str, Any] = field(default_factory=dict, repr=False)
    _auth_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    @property
    def event_ttl(self) -> timedelta:
        return timedelta(hours=self.settings.processed_event_ttl_hours)

    def bot_identity(self) -> dict[str, Any]:
        """``auth.test`` for the bot token, cached for a minute (health checks call this)."""
        with self._auth_lock:
            if self._auth and time.monotonic() - self._auth["at"] < AUTH_CACHE_SECONDS:
                return dict(self._auth["data"])
        data = self.slack.auth_test()
        with self._auth_lock:
            self._auth.update(at=time.monotonic(), data=data)
        return data

    def close(self) -> None:
        """Finish in-flight answers, then release the database."""
        if self.reloader is not None:
            self.reloader.stop()
        self.workers.drain()
        self.deadlines.close()
        self.engine.dispose()


def build_services(
    settings: Settings,
    *,
    advisor: Answerer | None = None,
    clock: Clock = utc_clock,
    migrate: bool = True,
    metrics: Metrics | None = None,
) -> Services:
    """Wire settings into engines, clients and pools; apply migrations unless told not to."""
    metrics = metrics if metrics is not None else Metrics()
    engine = create_db_engine(
        settings.resolved_database_url, wait_ms=round(settings.database_timeout_seconds * 1000)
    )
    if migrate:
        upgrade_engine(engine)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = build_web_client(
        token=token, base_url=settings.slack_api_url, on_rate_limited=metrics.rate_limited
    )
    answerer = advisor if advisor is not None else load_advisor(settings)
    metrics.watch_index(
        lambda: answerer.document_count, generation=index_generation(settings.resolved_index_dir)
    )
    services = Services(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        advisor=answerer,
        slack=SlackGateway(client, metrics=metrics),
        clock=clock,
        workers=WorkerPool(workers=settings.answer_workers, queue_size=settings.answer_queue_limit),
        metrics=metrics,
    )
    _wire_curation(services)
    return services


def _wire_curation(services: Services) -> None:
    """The live re-index and the curators' report source, for the real engine (a test
    answerer gets neither unless the test sets them)."""
    from bot.answers.live import LiveAdvisor, Reloader  # late: the retrieval engine
    from bot.curation.notices import tell_curators
    from bot.curation.source import CurationSource

    advisor, settings = services.advisor, services.settings
    if not isinstance(advisor, LiveAdvisor):
        return

    def on_swap() -> None:
        generation = index_generation(settings.resolved_index_dir)
        services.metrics.index_info.info({"generation": generation or "unknown"})

    def on_problems(problems: tuple[str, ...]) -> None:
        tell_curators(
            problems,
            curators=settings.curator_user_ids,
            sessions=services.sessions,
            slack=services.slack,
            clock=services.clock,
        )

    services.reloader = Reloader(
        advisor,
        playbooks_dir=settings.playbooks_dir,
        index_dir=settings.resolved_index_dir,
        on_problems=on_problems,
        max_file_bytes=settings.max_playbook_bytes,
        on_swap=on_swap,
    )
    services.curation = CurationSource(
        playbooks_dir=settings.playbooks_dir,
        embed=lambda texts: advisor.embedder.embed(texts),
        retention_days=settings.question_log_retention_days,
        days=settings.curator_digest_days,
        max_file_bytes=settings.max_playbook_bytes,
    )


def index_generation(index_dir: Path) -> str | None:
    """The live index generation's name (as just loaded), ``None`` if there is none."""
    from retrieval.index_store import current_generation  # late: it imports faiss

    try:
        generation = current_generation(index_dir)
    except Exception:  # a damaged index is reported by /healthz, not here
        return None
    return None if generation is None else generation.name


def load_advisor(settings: Settings) -> Answerer:
    """The real retrieval engine over the persisted index (loads the embedding model)."""
    from bot.answers.live import LiveAdvisor
    from bot.answers.setup import open_advisor  # late: the model loads only when serving

    advisor, _report, _corpus = open_advisor(settings)
    return LiveAdvisor(advisor)  # swapped whole by ``bot.answers.live.Reloader``


def health(services: Services) -> dict[str, dict[str, Any]]:
    """Index, database and Slack auth status; each part has ``ok`` and a short detail."""
    return {
        "index": _index_health(services),
        "database": _database_health(services),
        "slack": _slack_health(services),
    }


def _index_health(services: Services) -> dict[str, Any]:
    try:
        count = services.advisor.document_count
    except Exception as exc:  # health must report, never raise
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": count > 0, "documents": count}


def _database_health(services: Services) -> dict[str, Any]:
    """``SELECT`` from the table every question is claimed in, with a short lock wait."""
    wait_ms = round(min(HEALTH_PROBE_SECONDS, services.settings.database_timeout_seconds) * 1000)
    try:
        with services.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
                connection.execute(text(f"SET LOCAL statement_timeout = {wait_ms}"))
            connection.execute(text("SELECT 1 FROM processed_event LIMIT 1"))
            connection.rollback()
    except Exception as exc:  # health must report, never raise
        return {"ok": False, "status": "degraded", "error": type(exc).__name__}
    trouble = services.db_trouble.report()
    if trouble is not None:
        return {"ok": False, "status": "degraded", **trouble}
    return {"ok": True}


def _slack_health(services: Services) -> dict[str, Any]:
    try:
        data = services.bot_identity()
    except SlackCallFailed as exc:
        return {"ok": False, "error": exc.code}
    return {"ok": True, "team_id": data.get("team_id"), "bot_user_id": data.get("user_id")}
