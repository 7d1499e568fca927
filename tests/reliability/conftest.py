"""The reliability suite: every case of issue 11 against a real ``advisor serve`` process and
the real ``advisor`` CLI, on SQLite and on PostgreSQL.

A module shares one ``advisor serve`` per backend (``serve`` below): the real bundled model
over the small corpus, HTTP mode on 127.0.0.1, the loopback fake Slack Web API in this
process, its log at DEBUG in a file the tests read. Every loop here is bounded. Every test
that uses these fixtures starts a separate process, so its module is marked
``separate_process`` (a moved-wall-clock run leaves it out).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from storage.engine import create_db_engine
from tests.bot.conftest import SECRET, TOKEN
from tests.conftest import PG_ENV, _postgres_schema_url
from tests.fakes.corpus import write_small_corpus
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SlackSender

STARTUP_SECONDS = 120  # model load and index build on a slow, shared CI machine
EXIT_SECONDS = 30
ADVISOR = Path(sys.executable).with_name("advisor")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, log: Path | None = None
) -> None:
    """Poll ``condition`` every 50 ms for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-4000:] if log is not None else ""
            raise AssertionError(f"{what} within {timeout} s\n{tail}")
        time.sleep(0.05)


def base_env() -> dict[str, str]:
    """This environment without any advisor or Slack setting (no stray configuration)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}


def run_cli(
    args: list[str], env: dict[str, str], *, cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The real ``advisor`` executable in its own process."""
    return subprocess.run(
        [str(ADVISOR), *args],
        cwd=cwd,
        env={**base_env(), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Serve:
    """One running ``advisor serve`` (HTTP mode) and what the tests need to talk to it."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    env: dict[str, str]
    database_url: str
    cwd: Path
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def sender(self) -> SlackSender:
        return SlackSender(self.url, SECRET)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def health(self) -> tuple[int | None, dict[str, Any]]:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=10) as response:
                return int(response.status), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
        except OSError:
            return None, {}

    @property
    def engine(self) -> Engine:
        """An engine on the same database, for arranging and checking rows."""
        if self._engine is None:
            self._engine = create_db_engine(self.database_url)
        return self._engine

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_healthy(self) -> None:
        wait_until(
            lambda: not self.alive() or self.health()[0] == 200,
            timeout=STARTUP_SECONDS,
            what="advisor serve did not become healthy",
            log=self.log,
        )
        assert self.alive(), self.log_text()[-4000:]

    def stop(self) -> int:
        if self._engine is not None:
            self._engine.dispose()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=EXIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return int(self.process.returncode)


def launch_serve(
    workdir: Path,
    slack_api: FakeSlackAPI,
    *,
    database_url: str,
    extra: dict[str, str] | None = None,
    name: str = "serve",
) -> Serve:
    """Start ``advisor serve`` (call ``wait_healthy`` before talking to it)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    playbooks = workdir / "playbooks"
    if not playbooks.exists():
        write_small_corpus(playbooks)
    env = {
        **base_env(),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "ADVISOR_SLACK_API_URL": slack_api.base_url,
        "ADVISOR_HOST": "127.0.0.1",
        "ADVISOR_PORT": str(port),
        "ADVISOR_DATA_DIR": str(workdir / "data"),
        "ADVISOR_PLAYBOOKS_DIR": str(playbooks),
        "ADVISOR_DATABASE_URL": database_url,
        "ADVISOR_EMBEDDING_MODEL": "bundled:all-MiniLM-L6-v2",
        "ADVISOR_LOG_LEVEL": "DEBUG",
        **(extra or {}),
    }
    log = workdir / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(ADVISOR), "serve"], cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    return Serve(process, f"http://127.0.0.1:{port}", log, env, database_url, workdir)


def start_serve(
    workdir: Path,
    slack_api: FakeSlackAPI,
    *,
    database_url: str,
    extra: dict[str, str] | None = None,
    name: str = "serve",
) -> Serve:
    """Start ``advisor serve`` and wait until ``/healthz`` says 200."""
    serve = launch_serve(workdir, slack_api, database_url=database_url, extra=extra, name=name)
    try:
        serve.wait_healthy()
    except BaseException:
        serve.stop()
        raise
    return serve


@pytest.fixture(scope="module")
def module_slack() -> Iterator[FakeSlackAPI]:
    """One loopback fake Slack Web API for the module (``reset()`` it between tests)."""
    with FakeSlackAPI() as fake:
        yield fake


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def backend_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for the module, once per backend (a fresh PostgreSQL schema)."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite")
        yield f"sqlite:///{(folder / 'advisor.db').as_posix()}"
        return
    base_url = os.environ.get(PG_ENV)
    if not base_url:
        pytest.skip(f"PostgreSQL runs need {PG_ENV}")
    yield from _postgres_schema_url(base_url)


@pytest.fixture
def slack(module_slack: FakeSlackAPI) -> FakeSlackAPI:
    """The module's fake Slack API with the previous test's calls and failures cleared."""
    module_slack.reset()
    return module_slack
