"""Apply the Alembic migrations from code: ``advisor db upgrade`` and start-up call this.

No ``alembic.ini`` is looked up from the working directory; the script location is this
package's ``migrations`` folder. On PostgreSQL an advisory lock makes concurrent starts
of several replicas upgrade one after the other.

A database already at the newest shipped revision (every start but the first after an
upgrade) is left alone without importing Alembic: the head is read from the migration
files' ``revision``/``down_revision`` lines (``shipped_head``, held to Alembic's own answer by
the tests) and compared with the ``alembic_version`` row. Alembic and Mako cost a serving
process ~12 MiB of memory it would keep for nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from storage.engine import create_db_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_UPGRADE_LOCK_KEY = 0x61647669  # "advi"
_REVISION_LINE = re.compile(
    r"^(?P<name>revision|down_revision)\b[^=\n]*=\s*(?:None|[\"'](?P<value>[^\"']+)[\"'])\s*$",
    re.MULTILINE,
)


def alembic_config() -> Config:
    """An Alembic config pointing at this package's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def shipped_head() -> str | None:
    """The newest migration shipped with the code, read from the migration files alone
    (None unless exactly one revision is no other's ``down_revision``)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        for match in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")):
            if match["value"] is None:
                continue
            (revisions if match["name"] == "revision" else parents).add(match["value"])
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def _stored_revisions(engine: Engine) -> set[str]:
    """The revisions the database's ``alembic_version`` table records (none if no table)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return {str(row[0]) for row in rows}


def at_head(engine: Engine) -> bool:
    """Whether the database is at the newest shipped revision (without importing Alembic)."""
    head = shipped_head()
    return head is not None and _stored_revisions(engine) == {head}


def upgrade_engine(engine: Engine, *, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision``."""
    if revision == "head" and at_head(engine):
        return  # up to date: nothing to run, and Alembic is not even imported
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A migration may wait for another replica's and run long: lift the engine's
            # request-path timeouts for this transaction only.
            connection.execute(text("SET LOCAL lock_timeout = 0"))
            connection.execute(text("SET LOCAL statement_timeout = 0"))
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def upgrade_database(url: str, *, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (``head`` by default)."""
    engine = create_db_engine(url)
    try:
        upgrade_engine(engine, revision=revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of the migrations shipped with the code."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return any(rev.revision == revision for rev in script.walk_revisions())
