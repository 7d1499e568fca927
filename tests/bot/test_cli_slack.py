"""``advisor questions purge`` and ``advisor serve``'s refusal without credentials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.main import app
from storage.engine import create_db_engine, make_session_factory
from storage.migrate import upgrade_engine
from storage.questions import log_question, record_feedback
from tests.fakes.clock import FakeClock


def test_purge_removes_questions_past_retention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    monkeypatch.setenv("ADVISOR_DATABASE_URL", url)
    monkeypatch.setenv("ADVISOR_QUESTION_LOG_RETENTION_DAYS", "30")
    engine = create_db_engine(url)
    upgrade_engine(engine)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # the injected clock, far from today
    with make_session_factory(engine)() as session:
        old = log_question(
            session, asked_at=now - timedelta(days=31), user_id="U1", surface="dm", question="old"
        )
        log_question(
            session, asked_at=now - timedelta(days=2), user_id="U1", surface="dm", question="new"
        )
        assert old.id is not None
        record_feedback(session, question_log_id=old.id, user_id="U2", helpful=True, now=now)
    engine.dispose()
    result = CliRunner().invoke(app, ["questions", "purge"], obj=CliContext(clock=FakeClock(now)))
    assert result.exit_code == 0, result.output
    assert "Purged 1 question(s) older than 30 days" in result.output
    later = CliContext(clock=FakeClock(now + timedelta(days=29)))
    result = CliRunner().invoke(app, ["questions", "purge"], obj=later)
    assert "Purged 1 question(s) older than 30 days" in result.output  # "new" is now 31 days old


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
