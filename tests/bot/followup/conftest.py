"""Fixtures for the check-in UI tests: the app in HTTP mode with a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.conftest import Running, stop
from tests.bot.ui import WEDNESDAY, start_ui
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlackAPI


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(WEDNESDAY)


@pytest.fixture
def ui(tmp_path: Path, slack_api: FakeSlackAPI, clock: FakeClock) -> Iterator[Running]:
    running = start_ui(tmp_path, slack_api, clock)
    try:
        yield running
    finally:
        stop(running)


@pytest.fixture
def ui_db(
    db_url: str, tmp_path: Path, slack_api: FakeSlackAPI, clock: FakeClock
) -> Iterator[Running]:
    """The running app on SQLite and, when configured, on PostgreSQL."""
    running = start_ui(tmp_path, slack_api, clock, database_url=db_url)
    try:
        yield running
    finally:
        stop(running)
