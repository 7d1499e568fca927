"""Run every retrieval benchmark and collect the results (``make bench``).

Run from the repo root: ``python -m bench.run_all [--quick]``. Each benchmark runs as its
own ``python -m bench.<name>`` process and writes ``bench/results/<name>.json``; this runner
also writes ``bench/results/summary.json`` with the headline numbers next to the targets of
issue 2. The synthetic 100k-chunk index is built once and cached under
``bench/results/cache/`` (``python -m bench.synthetic --force`` rebuilds it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench.common import RESULTS, ROOT, machine, write_result

TARGETS = {
    "p95_shipped_ms": 50,
    "p95_100k_ms": 150,
    "cold_start_s": 10,
    "one_file_rebuild_s": 3,
    "peak_rss_100k_mb": 1536,
}


def step(*args: str) -> None:
    print(f"$ python -m {' '.join(args)}", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", *args], cwd=ROOT, check=True)
    print(f"  ({time.perf_counter() - started:.0f}s)", flush=True)


def load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 run each, 200 questions")
    args = parser.parse_args()
    runs = "1" if args.quick else "3"
    questions = "200" if args.quick else "300"
    step("bench.synthetic", "--chunks", "100000")
    step("bench.bench_build", "--runs", runs)
    step("bench.bench_cold_start", "--runs", "1" if args.quick else "5")
    step("bench.bench_onnx", "--runs", runs, "--questions", questions)  # issue 15: backends
    for corpus in ("shipped", "synthetic-100k"):
        step("bench.bench_latency", "--corpus", corpus, "--runs", runs, "--questions", questions)
        step(
            "bench.bench_latency", "--corpus", corpus, "--runs", runs,
            "--questions", questions, "--torch-threads", "1",
        )  # fmt: skip
    slack_runs = "1" if args.quick else "5"
    step("bench.bench_slack_ack", "--real", "--runs", slack_runs, "--workers", "4")
    step("bench.bench_slack_ack", "--runs", slack_runs, "--workers", "4")
    step("bench.bench_checkins", *(["--quick"] if args.quick else []))
    step("bench.bench_reload", "--runs", "2" if args.quick else "5")  # issue 13: save → answer
    shipped, big = load("latency_shipped"), load("latency_synthetic-100k")
    shipped1, big1 = load("latency_shipped_threads1"), load("latency_synthetic-100k_threads1")
    build, cold = load("build"), load("cold_start")

    def med(data: dict, key: str) -> float:
        return data["across_runs"][key]["median"]

    headline = {
        "p95_shipped_ms": med(shipped, "total_p95"),
        "p95_100k_ms": med(big, "total_p95"),
        "p95_shipped_ms_1_thread": med(shipped1, "total_p95"),
        "p95_100k_ms_1_thread": med(big1, "total_p95"),
        "cold_start_s": cold["cli_seconds"]["median"],
        "one_file_rebuild_s": build["incremental"]["warm_seconds"]["median"],
        "one_file_rebuild_cli_s": build["incremental"]["cli_seconds"]["median"],
        "build_chunks_per_s": build["full_build"]["chunks_per_s"]["median"],
        "peak_rss_shipped_mb": med(shipped, "peak_rss_mb"),
        "peak_rss_100k_mb": med(big, "peak_rss_mb"),
    }
    verdict = {
        key: {"target": target, "measured": headline[key], "met": headline[key] <= target}
        for key, target in TARGETS.items()
    }
    path = write_result("summary", {"machine": machine(), "headline": headline, "targets": verdict})
    for key, v in verdict.items():
        status = "met" if v["met"] else "MISSED"
        print(f"{key:22} {v['measured']:10.1f}  target {v['target']:>6}  {status}")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
