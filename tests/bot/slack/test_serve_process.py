"""``advisor serve`` as a real process: SIGTERM right after an ack still delivers the answer.

One subprocess, HTTP mode, the real bundled model over a small corpus (it loads once, ~10 s),
the fake Slack Web API in this process. The placeholder post is held at the fake until the
process has stopped taking requests and begun draining, so the answer is provably composed
during shutdown: the listener finishes, then the answer pool drains, then it exits 0. The check-in
scheduler runs in the process (it holds the leader lock) and stops cleanly with it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.scheduling.leader import FileLeaderLock
from bot.slack import messages as msg
from tests.bot.conftest import SECRET, TOKEN
from tests.fakes.corpus import write_small_corpus
from tests.fakes.slack_api import Call, FakeSlackAPI
from tests.fakes.slack_requests import SlackSender, event_callback, mention_event

STARTUP_SECONDS = 120  # model load and index build on a slow CI machine
EXIT_SECONDS = 30
DRAINING = "stopping: letting in-flight answers finish"  # logged when the drain begins


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthz(url: str) -> int | None:
    """The status of ``GET /healthz``, or None when nothing accepts the connection."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def poll(condition: Callable[[], bool], *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s; log:\n{log.read_text()}")
        time.sleep(0.1)


def lock_is_free(path: Path) -> bool:
    """True if this process can take the scheduler's leader lock (then it lets go at once)."""
    lock = FileLeaderLock(path)
    if not lock.acquire():
        return False
    lock.release()
    return True


@pytest.fixture
def serve_env(tmp_path: Path, slack_api: FakeSlackAPI) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ADVISOR_", "SLACK_"))
    }
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        ADVISOR_SLACK_API_URL=slack_api.base_url,
        ADVISOR_HOST="127.0.0.1",
        ADVISOR_PORT=str(free_port()),
        ADVISOR_DATA_DIR=str(tmp_path / "data"),
        ADVISOR_PLAYBOOKS_DIR=str(write_small_corpus(tmp_path / "playbooks")),
        ADVISOR_EMBEDDING_MODEL="bundled:all-MiniLM-L6-v2",
        ADVISOR_LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture
def held_placeholder(slack_api: FakeSlackAPI) -> Iterator[threading.Event]:
    """``chat.postMessage`` answers only once the returned event is set (bounded)."""
    release = threading.Event()

    def hold(call: Call) -> None:
        release.wait(timeout=EXIT_SECONDS)

    slack_api.respond("chat.postMessage", hold)
    yield release
    release.set()


@pytest.mark.model
@pytest.mark.separate_process  # `advisor serve` runs apart, on the real wall clock
def test_sigterm_after_the_ack_lets_the_answer_finish_and_exits_0(
    tmp_path: Path,
    slack_api: FakeSlackAPI,
    serve_env: dict[str, str],
    held_placeholder: threading.Event,
) -> None:
    log = tmp_path / "serve.log"
    url = f"http://127.0.0.1:{serve_env['ADVISOR_PORT']}"
    advisor = Path(sys.executable).with_name("advisor")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(advisor), "serve"],
            cwd=tmp_path,  # no stray .env
            env=serve_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        poll(
            lambda: process.poll() is not None or healthz(url) == 200,
            timeout=STARTUP_SECONDS,
            what="advisor serve did not become healthy",
            log=log,
        )
        assert process.poll() is None, log.read_text()
        lock_path = tmp_path / "data" / "advisor.db.scheduler.lock"
        assert not lock_is_free(lock_path), "the check-in scheduler should hold the leader lock"

        question = "How long should we keep camera footage?"
        status, _ = SlackSender(url, SECRET).event(event_callback(mention_event(question)))
        assert status == 200
        process.send_signal(signal.SIGTERM)  # right after the ack; the placeholder is held
        poll(
            lambda: DRAINING in log.read_text() or process.poll() is not None,
            timeout=EXIT_SECONDS,
            what="the shutdown did not start",
            log=log,
        )
        assert process.poll() is None, f"killed by the signal:\n{log.read_text()}"
        assert healthz(url) is None  # no longer taking requests
        held_placeholder.set()  # the listener goes on only now, in the middle of the shutdown

        (placeholder,) = slack_api.wait_for("chat.postMessage", timeout=EXIT_SECONDS)
        (update,) = slack_api.wait_for("chat.update", timeout=EXIT_SECONDS)
        assert process.wait(timeout=EXIT_SECONDS) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    assert placeholder.params["text"] == msg.WORKING
    assert update.params["text"] not in (msg.BUSY, msg.FAILED, msg.TIMED_OUT), log.read_text()
    assert update.params["blocks"]
    assert len(slack_api.calls_to("chat.update")) == 1
    assert lock_is_free(lock_path), "the scheduler gave up the leader lock on exit"
    text = log.read_text()
    assert "stop requested (SIGTERM)" in text
    assert "Traceback" not in text
    assert question not in text  # question text never reaches the process log
