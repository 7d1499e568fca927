"""A burst: 200 simultaneous signed mentions against the real engine, every one answered.

Run from the repo root: ``python -m bench.bench_burst [--runs 5] [--events 200]``.
The app runs for real in this process (uvicorn, bolt with signature verification, event
de-duplication in SQLite, or PostgreSQL with ``--database-url``, the answer queue with the
default 4 workers and 1,000 places), answering with the real engine (bundled MiniLM over
the shipped playbooks) against the loopback fake Slack Web API. Slack's side runs in a
*separate process*, as Slack does: the fake Web API and 200 threads sending the signed
``app_mention`` events, held at a barrier and released together. Targets (issue 11, item 7): 0 refused, ack p99
<= 300 ms, event-to-answer p95 <= 8 s. Prints one line per run, then the median and the
p95 across runs, and writes ``bench/results/burst.json``. Each run also records this
process's peak RSS so far (``VmHWM``): the serving app (HTTP server, bolt, database, answer
queue and workers) with the engine, at the height of a burst — what ``advisor serve`` holds.

*Ack* is each event's HTTP round trip; *event-to-answer* runs from just before the event is
sent to the ``chat.update`` that puts its answer in place of the placeholder (the sender's
and the fake's ``time.monotonic`` share the machine's clock). *Refused* counts askers told
to ask again (the queue was full), *failed* any other non-answer (timed out, not received).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.common import peak_rss_mb, percentile, rss_mb, write_result
from bot.app import build_app
from bot.ports import Answerer
from bot.services import build_services
from bot.slack import messages as msg
from bot.slack.server import HttpServer
from tests.bot.conftest import SECRET, make_settings
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SlackSender, event_callback, mention_event

INDEX_DIR = Path("bench/results/cache/burst-index")
FAILURES = (msg.TIMED_OUT, msg.FAILED, msg.NOT_RECEIVED)


def real_advisor() -> Answerer:
    """The real engine over the shipped playbooks (index cached under bench/results/cache)."""
    from bot.answers.setup import open_advisor
    from bot.settings import Settings

    settings = Settings(_env_file=None, index_dir=INDEX_DIR, playbooks_dir=Path("playbooks"))
    advisor, _, _ = open_advisor(settings)
    return advisor


class BurningAnswerer:
    """The fake answerer's answers, after ``seconds`` of pure-Python CPU per question."""

    def __init__(self, seconds: float) -> None:
        from tests.fakes.answerer import FakeAnswerer

        self._fake = FakeAnswerer()
        self._seconds = seconds

    @property
    def document_count(self) -> int:
        return self._fake.document_count

    def ask(self, question: str, **kwargs: Any) -> Any:
        until = time.thread_time() + self._seconds
        spins = 0
        while time.thread_time() < until:
            spins += 1
        return self._fake.ask(question, **kwargs)


def questions(count: int) -> list[str]:
    """Distinct questions: the dev set round robin, each tagged with its case number."""
    from bench.common import dev_questions

    texts = dev_questions()
    return [f"{texts[n % len(texts)]} (case {n})" for n in range(count)]


def _slack_side(events: int, conn: Connection) -> None:
    """The sender process: Slack's side of the burst (the fake Web API and the 200 senders),
    out of the app's process as Slack is. Reports its base URL, gets the app's URL, releases
    every event at once, waits for every placeholder to be replaced, reports what it saw."""
    with FakeSlackAPI() as slack_api:
        conn.send(slack_api.base_url)
        url = conn.recv()
        sender = SlackSender(url, SECRET)
        sender.event(event_callback({"type": "pin_added"}))  # warm-up: bolt's auth.test
        tag = time.monotonic_ns()  # ids unique across runs, even on a reused database
        payloads = [
            event_callback(
                mention_event(q, ts=f"{1_800_000_000 + n}.{tag % 1_000_000:06d}"),
                event_id=f"EvBurst{tag}x{n}",
            )
            for n, q in enumerate(questions(events))
        ]
        barrier = threading.Barrier(len(payloads))

        def send(payload: dict[str, Any]) -> tuple[str, float, float, int]:
            case = payload["event"]["text"].rsplit("(case ", 1)[1].rstrip(")")
            barrier.wait()
            sent = time.monotonic()
            status, _ = sender.event(payload)
            return case, sent, time.monotonic() - sent, status

        with ThreadPoolExecutor(len(payloads)) as pool:
            sends = list(pool.map(send, payloads))
        updates = slack_api.wait_for("chat.update", events, timeout=120)
        conn.send((sends, [(u.at, u.params) for u in updates]))
    conn.close()


def one_run(
    events: int, advisor: Answerer, database_url: str | None, workers: int = 4
) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe()
    slack_side = context.Process(target=_slack_side, args=(events, there))
    slack_side.start()
    base_url = here.recv()
    with tempfile.TemporaryDirectory() as tmp:
        overrides = {"database_url": database_url} if database_url else {}
        settings = make_settings(
            Path(tmp),
            _Remote(base_url),  # type: ignore[arg-type]
            answer_workers=workers,
            answer_timeout_seconds=30.0,
            answer_queue_limit=1000,
            **overrides,
        )
        services = build_services(settings, advisor=advisor)
        server = HttpServer(
            build_app(services, token_verification=False), services, host="127.0.0.1", port=0
        ).start_in_thread()
        try:
            here.send(server.url)
            sends, updates = here.recv()
        finally:
            server.stop()
            services.close()
            slack_side.join(timeout=60)
    return summarize(sends, updates)


class _Remote:
    """The fake Slack API's address when it runs in the sender process."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


def summarize(
    sends: list[tuple[str, float, float, int]], updates: list[tuple[float, dict[str, Any]]]
) -> dict[str, float]:
    sent_at = {case: sent for case, sent, _, _ in sends}
    acks = [ack for _, _, ack, _ in sends]
    answered, refused, failed = [], 0, 0
    for at, params in updates:
        text = params.get("text", "")
        if text == msg.BUSY:
            refused += 1
        elif text in FAILURES:
            failed += 1
        else:
            case = json.dumps(params, ensure_ascii=False).split("(case ", 1)[1].split(")", 1)[0]
            answered.append(at - sent_at[case])
    return {
        "answered": len(answered),
        "refused": refused,
        "failed": failed,
        "http_errors": sum(1 for *_, status in sends if status != 200),
        "ack_p50_ms": percentile(acks, 50) * 1000,
        "ack_p99_ms": percentile(acks, 99) * 1000,
        "answer_p50_ms": percentile(answered, 50) * 1000,
        "answer_p95_ms": percentile(answered, 95) * 1000,
        "answer_max_ms": max(answered) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--workers", type=int, default=4, help="ADVISOR_ANSWER_WORKERS")
    parser.add_argument("--out", default="burst", help="bench/results/<out>.json")
    parser.add_argument(
        "--fake-cpu-ms",
        type=float,
        default=None,
        help="answer with the fake answerer after burning this much CPU in Python (holding "
        "the interpreter lock: a pessimistic stand-in for an engine of that cost)",
    )
    args = parser.parse_args()
    if args.fake_cpu_ms is not None:
        advisor: Answerer = BurningAnswerer(args.fake_cpu_ms / 1000)
    else:
        advisor = real_advisor()
    for warm in questions(5):  # torch's first calls are slow; not part of any run
        advisor.ask(warm)
    loaded = rss_mb()
    print(f"RSS with the engine loaded and warm: {loaded:.0f} MiB", flush=True)
    runs = []
    for run in range(1, args.runs + 1):
        result = one_run(args.events, advisor, args.database_url, args.workers)
        result["peak_rss_mb"] = peak_rss_mb()  # the serving process, so far
        runs.append(result)
        print(f"run {run}: " + ", ".join(f"{k} {v:.0f}" for k, v in result.items()), flush=True)
    keys = list(runs[0])
    medians = {k: statistics.median(r[k] for r in runs) for k in keys}
    worst = {k: percentile([r[k] for r in runs], 95) for k in keys}
    print("median: " + ", ".join(f"{k} {v:.0f}" for k, v in medians.items()))
    print("p95 across runs: " + ", ".join(f"{k} {v:.0f}" for k, v in worst.items()))
    from bench.common import machine

    backend = "postgresql" if args.database_url else "sqlite"
    write_result(
        args.out,
        {
            "events": args.events,
            "workers": args.workers,
            "answerer": "real" if args.fake_cpu_ms is None else f"fake {args.fake_cpu_ms} ms CPU",
            "backend": backend,
            "rss_loaded_mb": loaded,
            "runs": runs,
            "median": medians,
            "p95_across_runs": worst,
            "machine": machine(),
        },
    )


if __name__ == "__main__":
    main()
