"""The composition root: everything the Slack surface and the CLI use, built once.

Listeners and jobs receive a ``Services``; they never construct engines, clients or pools.
Tests build one with ``build_services(settings, advisor=FakeAnswerer(), clock=FakeClock(..))``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session

from bot.clock import Clock, utc_clock
from bot.gateway import SlackCallFailed, SlackGateway, build_web_client
from bot.ports import Answerer
from bot.settings import Settings
from bot.workers import WorkerPool
from storage.engine import SessionFactory, create_db_engine, make_session_factory
from storage.migrate import upgrade_engine

log = logging.getLogger(__name__)
AUTH_CACHE_SECONDS = 60.0
QUEUE_PER_WORKER = 25


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
        self.workers.drain()
        self.engine.dispose()


def build_services(
    settings: Settings,
    *,
    advisor: Answerer | None = None,
    clock: Clock = utc_clock,
    migrate: bool = True,
) -> Services:
    """Wire settings into engines, clients and pools; apply migrations unless told not to."""
    engine = create_db_engine(settings.resolved_database_url)
    if migrate:
        upgrade_engine(engine)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = build_web_client(token=token, base_url=settings.slack_api_url)
    workers = settings.answer_workers
    return Services(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        advisor=advisor if advisor is not None else load_advisor(settings),
        slack=SlackGateway(client),
        clock=clock,
        workers=WorkerPool(workers=workers, queue_size=workers * QUEUE_PER_WORKER),
    )


def load_advisor(settings: Settings) -> Answerer:
    """The real retrieval engine over the persisted index (loads the embedding model)."""
    from bot.advisor_setup import open_advisor  # late: the model loads only when serving

    advisor, _report, _corpus = open_advisor(settings)
    return advisor


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
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # health must report, never raise
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _slack_health(services: Services) -> dict[str, Any]:
    try:
        data = services.bot_identity()
    except SlackCallFailed as exc:
        return {"ok": False, "error": exc.code}
    return {"ok": True, "team_id": data.get("team_id"), "bot_user_id": data.get("user_id")}
