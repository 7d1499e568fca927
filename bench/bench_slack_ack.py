"""HTTP-mode ack latency and event-to-answer-posted time under 50 concurrent signed events.

Run from the repo root: ``python -m bench.bench_slack_ack [--runs 5] [--events 50]``.
The app runs for real (uvicorn, bolt, SQLite de-duplication, the bounded answer pool)
against the loopback fake Slack Web API; the answerer is the deterministic fake with a
fixed composition delay standing in for retrieval. Targets (issue 4): ack p99 ≤ 300 ms,
event-to-answer-posted p95 ≤ 1.5 s. Prints one line per run and the medians.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.app import build_app
from bot.ports import Answerer
from bot.services import build_services
from bot.slack.server import HttpServer
from retrieval.evaluation import load_questions
from tests.bot.conftest import SECRET, make_settings
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SlackSender, event_callback, mention_event

REAL_INDEX_DIR = Path("bench/results/cache/slack-ack-index")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def real_advisor() -> Answerer:
    """The real engine over the shipped playbooks (index cached under bench/results/cache)."""
    from bot.answers.setup import open_advisor
    from bot.settings import Settings

    settings = Settings(_env_file=None, index_dir=REAL_INDEX_DIR, playbooks_dir=Path("playbooks"))
    advisor, _, _ = open_advisor(settings)
    return advisor


def questions_for(events: int, real: bool) -> list[str]:
    if not real:
        return [f"question {n}" for n in range(events)]
    texts = [q.question for q in load_questions(Path("tests/data/dev_questions"))]
    return [f"{texts[n % len(texts)]} (case {n})" for n in range(events)]


def one_run(
    events: int, compose_delay: float, workers: int, advisor: Answerer | None
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, FakeSlackAPI() as slack_api:
        settings = make_settings(Path(tmp), slack_api, answer_workers=workers)
        answerer = advisor if advisor is not None else FakeAnswerer(delay=compose_delay)
        services = build_services(settings, advisor=answerer)
        server = HttpServer(
            build_app(services, token_verification=False), services, host="127.0.0.1", port=0
        ).start_in_thread()
        sender = SlackSender(server.url, SECRET)
        sender.event(event_callback({"type": "pin_added"}))  # warm-up: bolt's auth.test
        questions = questions_for(events, real=advisor is not None)
        payloads = [event_callback(mention_event(q)) for q in questions]
        sent_at: dict[str, float] = {}

        def send(payload: dict) -> float:
            sent_at[payload["event"]["text"].split("> ", 1)[1]] = time.monotonic()
            started = time.perf_counter()
            status, _ = sender.event(payload)
            assert status == 200, status
            return time.perf_counter() - started

        with ThreadPoolExecutor(events) as pool:
            acks = list(pool.map(send, payloads))
        slack_api.wait_for("chat.update", events, timeout=60)
        server.stop()
        services.close()
        answered = _answer_times(slack_api, sent_at)
    return {
        "ack_p50_ms": percentile(acks, 50) * 1000,
        "ack_p99_ms": percentile(acks, 99) * 1000,
        "answer_p95_ms": percentile(answered, 95) * 1000,
    }


def _answer_times(slack_api: FakeSlackAPI, sent_at: dict[str, float]) -> list[float]:
    """Per event: time from sending it to the ``chat.update`` that put its answer up.

    Each answer echoes its question ("_You asked:_ question N"), which names the event.
    """
    times = []
    for update in slack_api.calls_to("chat.update"):
        echo = update.params["blocks"][0]["elements"][0]["text"]
        times.append(update.at - sent_at[echo.removeprefix("_You asked:_ ")])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--compose-delay", type=float, default=0.1, help="seconds per answer")
    parser.add_argument("--workers", type=int, default=8, help="ADVISOR_ANSWER_WORKERS")
    parser.add_argument(
        "--real", action="store_true", help="answer with the real engine and shipped playbooks"
    )
    args = parser.parse_args()
    advisor = real_advisor() if args.real else None
    results = []
    for run in range(1, args.runs + 1):
        result = one_run(args.events, args.compose_delay, args.workers, advisor)
        results.append(result)
        print(f"run {run}: " + ", ".join(f"{k} {v:.1f}" for k, v in result.items()))
    medians = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print("median: " + ", ".join(f"{k} {v:.1f}" for k, v in medians.items()))


if __name__ == "__main__":
    main()
