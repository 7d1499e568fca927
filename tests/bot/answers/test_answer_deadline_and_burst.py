"""A burst is queued and answered, and every asker hears back within the answer timeout,
counted from the placeholder (issue 11, items 3 and 7). In-process with the fake answerer;
``tests/reliability`` repeats the burst against a real ``advisor serve``."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.answers.deadlines import Deadlines
from bot.slack import messages as msg
from tests.bot.conftest import make_settings, start, stop
from tests.bot.slack.test_http_events import answers_in
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import event_callback, mention_event

BURST = 200


def test_deadlines_run_once_unless_cancelled() -> None:
    deadlines = Deadlines()
    ran: list[str] = []
    done = threading.Event()
    deadlines.at(0.2, lambda: ran.append("late"))
    deadlines.at(0.05, lambda: (ran.append("first"), done.set()))
    cancelled = deadlines.at(0.05, lambda: ran.append("cancelled"))
    cancelled.cancel()
    assert done.wait(5)
    deadline = time.monotonic() + 5
    while "late" not in ran and time.monotonic() < deadline:
        time.sleep(0.01)
    deadlines.close()
    assert ran == ["first", "late"]


def test_closing_drops_pending_deadlines_and_refuses_new_ones() -> None:
    deadlines = Deadlines()
    ran: list[int] = []
    deadlines.at(0.1, lambda: ran.append(1))
    deadlines.close()
    assert deadlines.at(0.0, lambda: ran.append(2)).cancelled
    time.sleep(0.3)
    assert ran == []
    assert deadlines.pending() == 0


def test_a_failing_action_does_not_stop_the_watchdog() -> None:
    deadlines = Deadlines()
    done = threading.Event()

    def boom() -> None:
        raise RuntimeError("boom")

    deadlines.at(0.01, boom)
    deadlines.at(0.05, done.set)
    assert done.wait(5)
    deadlines.close()


def test_a_queued_question_times_out_from_its_placeholder_not_from_its_turn(
    tmp_path: Path, slack_api: FakeSlackAPI
) -> None:
    """One worker, blocked: the question behind it never reaches a worker before its
    deadline, yet its asker is told in time, and it is not answered late."""
    gate = threading.Event()
    settings = make_settings(tmp_path, slack_api, answer_workers=1, answer_timeout_seconds=1.0)
    running = start(settings, FakeAnswerer(release=gate), slack_api)
    try:
        running.sender.event(event_callback(mention_event("first")))
        running.sender.event(event_callback(mention_event("second")))
        updates = answers_in(running, 2)  # both within the deadline, while the worker is stuck
        assert [u["text"] for u in updates] == [msg.TIMED_OUT, msg.TIMED_OUT]
        gate.set()
        running.services.workers.drain()
        # one reached the worker; the other was skipped when its turn came, past its deadline
        assert len(running.answerer.calls) == 1
        assert len(running.slack_api.calls_to("chat.update")) == 2  # no late answer
    finally:
        gate.set()
        stop(running)


def test_a_burst_of_200_mentions_is_queued_and_all_answered(
    tmp_path: Path, slack_api: FakeSlackAPI
) -> None:
    """Before: 4 workers x 25 queued, so 46% of such a burst was told to ask again."""
    settings = make_settings(tmp_path, slack_api, answer_timeout_seconds=60.0)
    running = start(settings, FakeAnswerer(delay=0.005), slack_api)
    try:
        payloads = [event_callback(mention_event(f"burst question {n}")) for n in range(BURST)]
        with ThreadPoolExecutor(32) as pool:
            statuses = list(pool.map(lambda p: running.sender.event(p)[0], payloads))
        assert statuses == [200] * BURST
        updates = running.slack_api.wait_for("chat.update", BURST, timeout=120)
        texts = [u.params["text"] for u in updates]
        assert msg.BUSY not in texts and msg.TIMED_OUT not in texts and msg.FAILED not in texts
        assert len(running.answerer.calls) == BURST
    finally:
        stop(running)
