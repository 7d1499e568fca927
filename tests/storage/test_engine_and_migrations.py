"""Engine defaults per backend, migrations applied from code, metadata and DB in step."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from storage.engine import create_db_engine, is_sqlite, normalise_url
from storage.migrate import (
    current_revision,
    head_revision,
    shipped_head,
    upgrade_database,
)
from storage.models import metadata


def test_postgres_urls_are_rewritten_to_psycopg() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


def test_sqlite_engine_creates_dir_and_sets_pragmas(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path}/deep/er/a.db", wait_ms=1234)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1234
    assert (tmp_path / "deep" / "er" / "a.db").exists()
    engine.dispose()


def test_postgres_engine_pings_pool() -> None:
    engine = create_db_engine("postgresql://postgres@127.0.0.1:1/none")
    assert engine.pool._pre_ping
    assert not is_sqlite(engine.url)


def test_upgrade_creates_every_table_and_is_repeatable(db_url: str) -> None:
    upgrade_database(db_url)
    upgrade_database(db_url)  # a second start is a no-op
    engine = create_db_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert shipped_head() is not None
    assert shipped_head() == head_revision()


def test_a_database_at_head_is_left_alone_without_importing_alembic(db_url: str) -> None:
    upgrade_database(db_url, revision="0003")  # one revision behind the head
    probe = (
        "import sys\n"
        "from sqlalchemy import text\n"
        "from storage.engine import create_db_engine\n"
        "from storage.migrate import upgrade_engine\n"
        f"engine = create_db_engine({db_url!r})\n"
        "upgrade_engine(engine)\n"
        "with engine.connect() as c:\n"
        "    stored = c.execute(text('SELECT version_num FROM alembic_version')).scalar()\n"
        "print('alembic' in sys.modules, stored)\n"
    )

    def start() -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
        )
        return done.stdout.strip()

    assert start() == f"True {head_revision()}"  # behind: Alembic upgrades it
    assert start() == f"False {head_revision()}"  # at head: Alembic is not even imported


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, _parents: (
                    type_ != "table" or name in metadata.tables
                ),
            },
        )
        assert compare_metadata(context, metadata) == []


def test_database_errors_never_quote_the_values_written(engine: Engine) -> None:
    """Bolt and the worker pool log exception messages: user text must not be in them."""
    secret = "secret reason about the mayor"
    insert = text(
        "INSERT INTO feedback (question_log_id, user_id, helpful, reason, created_at, updated_at)"
        " VALUES (:q, 'U1', true, :reason, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
        connection.execute(insert, {"q": 999_999, "reason": secret})  # no such question
    assert secret not in str(raised.value)


ASKED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _alembic(engine: Engine, action: Literal["upgrade", "downgrade"], revision: str) -> None:
    """Run ``alembic upgrade|downgrade <revision>`` on ``engine``, as the app's migrator does."""
    from alembic import command

    from storage.migrate import alembic_config

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_doubled_open_person_requests_are_folded_into_one_by_0004(db_url: str) -> None:
    """Before 0004 a double click stored two open requests; upgrading keeps the earliest."""
    engine = create_db_engine(db_url)
    try:
        _alembic(engine, "upgrade", "0003")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO question_log (asked_at, user_id, surface, question, abstained,"
                    " hit_chunk_ids, cited_doc_ids, cited_sections)"
                    " VALUES (CURRENT_TIMESTAMP, 'U1', 'mention', 'q', false, '[]', '[]', '[]')"
                )
            )
            question = connection.execute(text("SELECT MAX(id) FROM question_log")).scalar()
            rows = [("U1", None), ("U1", None), ("U1", "UCUR1"), ("U2", None)]
            for user, resolved_by in rows:
                connection.execute(
                    text(
                        "INSERT INTO person_request (question_log_id, user_id, asked_at,"
                        " resolved_at, resolved_by) VALUES (:q, :u, :at, :done, :r)"
                    ),
                    {"q": question, "u": user, "at": ASKED, "r": resolved_by}
                    | {"done": ASKED if resolved_by else None},
                )
        upgrade_database(db_url)
        with engine.connect() as connection:
            left = connection.execute(
                text("SELECT user_id, resolved_by FROM person_request ORDER BY id")
            ).all()
        assert [tuple(row) for row in left] == [("U1", None), ("U1", "UCUR1"), ("U2", None)]
    finally:
        engine.dispose()


def test_the_curation_and_roles_migrations_downgrade_and_upgrade_again(db_url: str) -> None:
    """0004, 0003 and 0002 undo cleanly (tables and columns gone), and head comes back intact."""
    upgrade_database(db_url)
    engine = create_db_engine(db_url)
    try:
        _alembic(engine, "downgrade", "0001")
        assert current_revision(engine) == "0001"
        found = inspect(engine)
        tables = set(found.get_table_names())
        new_tables = {"channel_scope", "person_request", "curator_digest"}
        new_tables |= {"status_update", "away_period"}
        assert not tables & new_tables
        assert "cited_sections" not in {c["name"] for c in found.get_columns("question_log")}
        assert "topic" not in {c["name"] for c in found.get_columns("working_group")}
        assert "stakeholder" not in {c["name"] for c in found.get_columns("membership")}
        assert "citations" not in {c["name"] for c in found.get_columns("commitment")}
        upgrade_database(db_url)
        assert current_revision(engine) == head_revision()
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
