"""Shared fixtures: databases on both backends, migrated engines and sessions.

``db_url`` runs each test on SQLite (a file in a tmp dir) and on PostgreSQL when
``ADVISOR_TEST_DATABASE_URL`` is set; every PostgreSQL test gets its own schema, dropped
afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bot.answers.setup import search_options
from bot.settings import BUNDLED_MODEL, Settings
from retrieval.documents import load_corpus
from retrieval.embeddings import SentenceTransformerEmbedder
from retrieval.engine import Advisor, open_glossary
from retrieval.index import build_index, load_index
from retrieval.onnx_embedder import OnnxEmbedder
from storage.engine import SessionFactory, create_db_engine, make_session_factory, normalise_url
from storage.migrate import upgrade_engine
from tests.fakes.corpus import write_small_corpus
from tests.fakes.slack_api import FakeSlackAPI

pytest_plugins = ["tests.moved_clock"]
PG_ENV = "ADVISOR_TEST_DATABASE_URL"


def _postgres_schema_url(base_url: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base_url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(base_url)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'db' / 'advisor.db').as_posix()}"
        return
    base_url = os.environ.get(PG_ENV)
    if not base_url:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    yield from _postgres_schema_url(base_url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a freshly migrated database."""
    created = create_db_engine(db_url)
    upgrade_engine(created)
    try:
        yield created
    finally:
        created.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> SessionFactory:
    """Sessions on the migrated database."""
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: SessionFactory) -> Iterator[Session]:
    """One session on the migrated database."""
    with session_factory() as opened:
        yield opened


@pytest.fixture
def slack_api() -> Iterator[FakeSlackAPI]:
    """The loopback fake Slack Web API; ``slack_api.base_url`` and ``slack_api.calls``."""
    with FakeSlackAPI() as fake:
        yield fake


SHIPPED_PLAYBOOKS = Path(__file__).resolve().parent.parent / "playbooks"
# The ONNX export of the bundled model, shared by every test and `make install` (it is keyed
# by the model's content hash, so sharing is safe): exported at most once, not per test.
MODEL_CACHE_DIR = Path(__file__).resolve().parent.parent / ".advisor" / "models"
os.environ.setdefault("ADVISOR_MODEL_CACHE_DIR", str(MODEL_CACHE_DIR))


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded once for the whole session."""
    return SentenceTransformerEmbedder(BUNDLED_MODEL)


@pytest.fixture(scope="session")
def onnx_embedder() -> OnnxEmbedder:
    """The bundled model on ONNX Runtime (the default backend), loaded once per session."""
    return OnnxEmbedder(BUNDLED_MODEL, cache_dir=MODEL_CACHE_DIR)


@pytest.fixture(scope="session")
def shipped_index_dir(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> Path:
    """The shipped playbooks indexed once with the real model, in a session temp dir."""
    index_dir = tmp_path_factory.mktemp("shipped-index")
    build_index(load_corpus(SHIPPED_PLAYBOOKS), real_embedder, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def shipped_advisor(shipped_index_dir: Path, real_embedder: SentenceTransformerEmbedder) -> Advisor:
    """An Advisor over the shipped corpus with the real model and default settings."""
    index = load_index(shipped_index_dir)
    assert index is not None
    options = search_options(Settings(_env_file=None))
    return Advisor(index, real_embedder, options, open_glossary(SHIPPED_PLAYBOOKS))


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A small valid playbooks folder (two playbooks, one case note) in a temp dir."""
    return write_small_corpus(tmp_path / "playbooks")
