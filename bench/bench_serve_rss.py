"""Peak RSS of a real ``advisor serve`` process, at rest and through bursts of mentions.

Run from the repo root: ``python -m bench.bench_serve_rss [--runs 3] [--events 200]``.

Each run starts ``advisor serve`` as its own process (HTTP mode, the default ONNX engine over
the shipped playbooks, SQLite, the check-in scheduler, the default 4 answer workers), with a
data dir of its own (the ONNX export ``make install`` made is copied in; the index is built
by ``advisor index`` before the process starts, so building is not counted). The database is
new, so each start migrates it (in a child process, ``bot.cli.serve._migrate_apart``). This process
plays Slack: the fake Web API on loopback and ``--events`` signed ``app_mention`` events sent
at once from as many threads, ``--bursts`` times. The serving process's ``VmRSS`` is sampled
every 20 ms from ``/proc`` (with its private and file-backed parts, ``RssAnon`` and
``RssFile``); ``VmHWM`` (its peak) is read at rest (healthy, before any event) and after
the last burst, before it is stopped. File-backed pages are mostly the model's weights,
which ONNX Runtime reads from ``model.onnx.data`` through a memory map: clean pages the
kernel can drop and processes share, paged in as questions use more of the vocabulary. Target (issue 15): peak RSS of ``advisor
serve`` on the shipped corpus <= 250 MiB. Writes ``bench/results/serve_rss.json``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import PLAYBOOKS, ROOT, machine, write_result
from bot.slack import messages as msg
from tests.bot.conftest import SECRET, TOKEN
from tests.bot.slack.test_serve_process import free_port, healthz
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SlackSender, event_callback, mention_event

MODELS = ROOT / ".advisor" / "models"  # the export `make install` made
STARTUP_SECONDS = 120


def status_mib(pid: int, field: str) -> float:
    """A ``/proc/<pid>/status`` size field (``VmRSS``, ``VmHWM``), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def serve_env(data: Path, slack_api: FakeSlackAPI, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        ADVISOR_SLACK_API_URL=slack_api.base_url,
        ADVISOR_HOST="127.0.0.1",
        ADVISOR_PORT=str(port),
        ADVISOR_DATA_DIR=str(data),
        ADVISOR_PLAYBOOKS_DIR=str(PLAYBOOKS),
        ADVISOR_LOG_LEVEL="WARNING",
    )
    return env


def burst(url: str, slack_api: FakeSlackAPI, events: int, round_: int) -> int:
    """Send ``events`` signed mentions at once; wait for every answer; how many answered."""
    from bench.bench_burst import questions

    sender = SlackSender(url, SECRET)
    before = len(slack_api.calls_to("chat.update"))
    payloads = [
        event_callback(mention_event(q, ts=f"{1_800_000_000 + round_ * 10_000 + n}.000100"))
        for n, q in enumerate(questions(events))
    ]
    barrier = threading.Barrier(len(payloads))

    def send(payload: dict[str, Any]) -> int:
        barrier.wait()
        status, _ = sender.event(payload)
        return status

    with ThreadPoolExecutor(len(payloads)) as pool:
        statuses = list(pool.map(send, payloads))
    updates = slack_api.wait_for("chat.update", before + events, timeout=180)[before:]
    failures = {msg.BUSY, msg.FAILED, msg.TIMED_OUT}
    answered = sum(1 for u in updates if u.params.get("text") not in failures)
    if any(s != 200 for s in statuses):
        raise RuntimeError(f"HTTP errors: {sorted(set(statuses))}")
    return answered


def one_run(events: int, bursts: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, FakeSlackAPI() as slack_api:
        data = Path(tmp) / "data"
        data.mkdir()
        shutil.copytree(MODELS, data / "models")
        env = serve_env(data, slack_api, free_port())
        advisor = Path(sys.executable).with_name("advisor")
        subprocess.run([str(advisor), "index"], env=env, cwd=tmp, check=True, capture_output=True)
        log = Path(tmp) / "serve.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(advisor), "serve"], env=env, cwd=tmp, stdout=output, stderr=output
            )
        url = f"http://127.0.0.1:{env['ADVISOR_PORT']}"
        samples: list[float] = []
        private: list[float] = []
        files: list[float] = []
        stop = threading.Event()
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while healthz(url) != 200:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"advisor serve did not start:\n{log.read_text()}")
                time.sleep(0.1)
            SlackSender(url, SECRET).event(event_callback({"type": "pin_added"}))  # auth.test
            time.sleep(1.0)
            at_rest = status_mib(process.pid, "VmHWM")
            at_rest_file = status_mib(process.pid, "RssFile")

            def sample() -> None:
                while not stop.is_set():
                    samples.append(status_mib(process.pid, "VmRSS"))
                    private.append(status_mib(process.pid, "RssAnon"))
                    files.append(status_mib(process.pid, "RssFile"))
                    stop.wait(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            answered = sum(burst(url, slack_api, events, n) for n in range(bursts))
            peak = status_mib(process.pid, "VmHWM")
            stop.set()
            sampler.join()
        finally:
            stop.set()
            process.terminate()
            process.wait(timeout=60)
    return {
        "rss_at_rest_peak_mib": at_rest,
        "peak_rss_mib": peak,
        "sampled_rss_max_mib": max(samples) if samples else 0.0,
        "rss_file_at_rest_mib": at_rest_file,
        "sampled_private_max_mib": max(private) if private else 0.0,
        "sampled_file_max_mib": max(files) if files else 0.0,
        "answered": float(answered),
        "asked": float(events * bursts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--bursts", type=int, default=2)
    args = parser.parse_args()
    if not MODELS.is_dir():
        raise SystemExit("no ONNX export at .advisor/models: run `make install` first")
    runs = []
    for run in range(1, args.runs + 1):
        result = one_run(args.events, args.bursts)
        runs.append(result)
        print(
            f"run {run}: peak RSS at rest {result['rss_at_rest_peak_mib']:.0f} MiB, "
            f"through {args.bursts} bursts of {args.events} {result['peak_rss_mib']:.0f} MiB "
            f"(sampled: private {result['sampled_private_max_mib']:.0f}, file-backed "
            f"{result['rss_file_at_rest_mib']:.0f} at rest, {result['sampled_file_max_mib']:.0f} "
            "at most) "
            f"({result['answered']:.0f}/{result['asked']:.0f} answered)",
            flush=True,
        )
    keys = list(runs[0])
    medians = {k: statistics.median(r[k] for r in runs) for k in keys}
    print(
        f"median: at rest {medians['rss_at_rest_peak_mib']:.0f} MiB, "
        f"through the bursts {medians['peak_rss_mib']:.0f} MiB "
        f"(max over runs {max(r['peak_rss_mib'] for r in runs):.0f} MiB)"
    )
    write_result(
        "serve_rss",
        {
            "events": args.events,
            "bursts": args.bursts,
            "runs": runs,
            "median": medians,
            "machine": machine(),
        },
    )


if __name__ == "__main__":
    main()
