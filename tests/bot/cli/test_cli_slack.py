"""``advisor questions purge`` and ``advisor serve``'s refusal without credentials."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.main import app
from storage.engine import create_db_engine, make_session_factory
from storage.migrate import head_revision, upgrade_engine
from storage.questions import log_question, record_feedback
from storage.threads import is_answer_thread, remember_thread
from tests.fakes.clock import FakeClock


def test_purge_removes_questions_and_answer_threads_past_retention(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVISOR_DATABASE_URL", db_url)
    monkeypatch.setenv("ADVISOR_QUESTION_LOG_RETENTION_DAYS", "30")
    engine = create_db_engine(db_url)
    upgrade_engine(engine)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # the injected clock, far from today
    sessions = make_session_factory(engine)
    with sessions() as session:
        old = log_question(
            session, asked_at=now - timedelta(days=31), user_id="U1", surface="dm", question="old"
        )
        log_question(
            session, asked_at=now - timedelta(days=2), user_id="U1", surface="dm", question="new"
        )
        assert old.id is not None
        record_feedback(session, question_log_id=old.id, user_id="U2", helpful=True, now=now)
        remember_thread(session, channel_id="C1", thread_ts="1.0", now=now - timedelta(days=31))
        remember_thread(session, channel_id="C1", thread_ts="2.0", now=now - timedelta(days=2))
    result = CliRunner().invoke(app, ["questions", "purge"], obj=CliContext(clock=FakeClock(now)))
    assert result.exit_code == 0, result.output
    assert "Purged 1 question(s) and 1 answer thread(s) older than 30 days" in result.output
    with sessions() as session:
        assert not is_answer_thread(session, channel_id="C1", thread_ts="1.0")
        assert is_answer_thread(session, channel_id="C1", thread_ts="2.0")
    later = CliContext(clock=FakeClock(now + timedelta(days=29)))
    result = CliRunner().invoke(app, ["questions", "purge"], obj=later)
    # "new" and the second thread are now 31 days old
    assert "Purged 1 question(s) and 1 answer thread(s) older than 30 days" in result.output
    engine.dispose()


def test_serve_without_credentials_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "ADVISOR_SLACK_BOT_TOKEN",
        "ADVISOR_SLACK_SIGNING_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(Path(__file__).parent)  # no .env here
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2


def test_serve_migrates_in_a_child_and_never_holds_alembic(db_url: str, tmp_path: Path) -> None:
    """``advisor serve``'s start: a database behind the head is migrated by a short-lived
    ``advisor db upgrade``; the serving process itself never imports Alembic."""
    probe = (
        "import sys\n"
        "from sqlalchemy import text\n"
        "from bot.cli.serve import _migrate_apart\n"
        "from bot.settings import Settings\n"
        "from storage.engine import create_db_engine\n"
        f"settings = Settings(_env_file=None, database_url={db_url!r})\n"
        "_migrate_apart(settings)\n"
        "engine = create_db_engine(settings.resolved_database_url)\n"
        "with engine.connect() as c:\n"
        "    stored = c.execute(text('SELECT version_num FROM alembic_version')).scalar()\n"
        "print('alembic' in sys.modules, stored)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env["ADVISOR_DATABASE_URL"] = db_url  # what the child `advisor db upgrade` reads
    for _ in range(2):  # a fresh database, then one already at the head
        done = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
            check=True,
        )
        assert done.stdout.strip() == f"False {head_revision()}", done.stderr
