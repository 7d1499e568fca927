"""A running app whose retrieval engine is real (a hash-seeded fake embedder over a small
playbooks folder written here), so the stakeholder map is drawn by the real search."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_app
from bot.services import build_services
from bot.slack.server import HttpServer
from retrieval.documents import load_corpus
from retrieval.engine import Advisor, SearchOptions
from retrieval.index import build_index
from tests.bot.conftest import SECRET, Running, make_settings, stop
from tests.bot.ui import ADMIN, WEDNESDAY
from tests.conftest import SHIPPED_PLAYBOOKS
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.clock import FakeClock
from tests.fakes.corpus import PLAYBOOK_FRONT, write_doc
from tests.fakes.embedder import HashEmbedder
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SlackSender

THRESHOLD = 0.45  # the hash embedder's cosines run higher than the real model's

RETENTION = """Police, IT, records management and the city attorney disagree on camera footage retention.

## Why this fight happens

- **Police** want camera footage kept for a long time for late-reported crimes.
- **IT and the information security office** pay for footage storage and backups.
- **Records management** must follow the approved retention schedule for footage.
- **The city attorney** worries about destroying footage that must be preserved.
- **Residents** see stored camera footage as a risk of misuse.
- **Public records law.** Footage is often a public record.

## Retention default

Keep camera footage retention short, with holds for footage tied to a case.
"""

BIKES = """Bike lanes need paint, curbs and council votes.

## Who decides

- **Utilities** own the poles along the bike lanes.
- **Council** votes on bike lane budgets.
"""


def write_map_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(SHIPPED_PLAYBOOKS / "stakeholders.yaml", root / "stakeholders.yaml")
    shutil.copy(SHIPPED_PLAYBOOKS / "tags.yaml", root / "tags.yaml")
    write_doc(
        root,
        "guides/camera-footage-retention.md",
        "id: camera-footage-retention\n"
        + PLAYBOOK_FRONT.format(title="Camera footage retention", tags="privacy, cameras")
        + "stakeholders: [police, it, city-attorney, records-management, residents]\n",
        RETENTION,
    )
    write_doc(
        root,
        "guides/bike-lanes.md",
        "id: bike-lanes\n"
        + PLAYBOOK_FRONT.format(title="Bike lanes", tags="mobility")
        + "stakeholders: [utilities, council]\n",
        BIKES,
    )
    return root


def start_with_engine(
    tmp_path: Path, slack_api: FakeSlackAPI, clock: FakeClock, *, database_url: str
) -> Running:
    playbooks = write_map_corpus(tmp_path / "playbooks")
    index, _report = build_index(load_corpus(playbooks), HashEmbedder(), tmp_path / "index")
    engine = Advisor(index, HashEmbedder(), SearchOptions(abstain_threshold=THRESHOLD))
    settings = make_settings(
        tmp_path,
        slack_api,
        admin_user_ids=[ADMIN],
        database_url=database_url,
        playbooks_dir=playbooks,
        abstain_threshold=THRESHOLD,
        playbooks_url="https://git.example.org/city/playbooks/-/blob/main/playbooks",
    )
    services = build_services(settings, advisor=engine, clock=clock)
    app = build_app(services, token_verification=False)
    server = HttpServer(app, services, host="127.0.0.1", port=0).start_in_thread()
    return Running(services, server, SlackSender(server.url, SECRET), FakeAnswerer(), slack_api)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(WEDNESDAY)


@pytest.fixture
def mapped(
    db_url: str, tmp_path: Path, slack_api: FakeSlackAPI, clock: FakeClock
) -> Iterator[Running]:
    """The app with the real engine, on SQLite and (when configured) PostgreSQL."""
    running = start_with_engine(tmp_path, slack_api, clock, database_url=db_url)
    try:
        yield running
    finally:
        stop(running)
