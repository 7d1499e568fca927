"""A running advisor in HTTP mode against the fake Slack Web API, driven by signed requests."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import build_app
from bot.logs import build_handler
from bot.services import Services, build_services
from bot.settings import Settings
from bot.slack.server import HttpServer
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SlackSender

SECRET = "test-signing-secret-0123456789"
TOKEN = "xoxb-test-bot-token"
CURATOR = "UCURATOR1"


def make_settings(tmp_path: Path, slack_api: FakeSlackAPI, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'advisor.db'}",
        "data_dir": tmp_path,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "slack_api_url": slack_api.base_url,
        "curator_user_ids": [CURATOR],
        "answer_timeout_seconds": 5.0,
        "answer_workers": 4,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Running:
    services: Services
    server: HttpServer
    sender: SlackSender
    answerer: FakeAnswerer
    slack_api: FakeSlackAPI


def start(settings: Settings, answerer: FakeAnswerer, slack_api: FakeSlackAPI) -> Running:
    services = build_services(settings, advisor=answerer)
    app = build_app(services, token_verification=False)
    server = HttpServer(app, services, host="127.0.0.1", port=0).start_in_thread()
    return Running(services, server, SlackSender(server.url, SECRET), answerer, slack_api)


def stop(running: Running) -> None:
    running.server.stop()
    running.services.close()


@pytest.fixture
def answerer() -> FakeAnswerer:
    return FakeAnswerer()


@pytest.fixture
def settings(tmp_path: Path, slack_api: FakeSlackAPI) -> Settings:
    return make_settings(tmp_path, slack_api)


@pytest.fixture
def advisor(
    settings: Settings, answerer: FakeAnswerer, slack_api: FakeSlackAPI
) -> Iterator[Running]:
    running = start(settings, answerer, slack_api)
    try:
        yield running
    finally:
        stop(running)


@contextlib.contextmanager
def on_root_at_debug(handler: logging.Handler, names: tuple[str, ...]) -> Iterator[None]:
    """``handler`` on the root logger, with the root and ``names`` at DEBUG (even libraries
    ``configure_logging`` clamps: the handler must hold on its own); all restored after."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in names}
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The advisor's log handler, every logger at DEBUG, into a buffer the test reads."""
    stream = io.StringIO()
    with on_root_at_debug(build_handler(stream), ("slack_bolt", "slack_sdk", "sqlalchemy")):
        yield stream
