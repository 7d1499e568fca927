"""Query latency of ``Advisor.ask`` (embed + search + compose), plus peak RSS, per corpus.

Run from the repo root::

    python -m bench.bench_latency [--corpus shipped|synthetic-100k] [--runs 3] [--questions 300]

Each run is a fresh process (so the embedder's query cache starts empty and peak RSS is the
process's own): load the model and the persisted index, ask 5 warm-up questions that are not
measured, then ask ``--questions`` distinct questions once each (dev set, variations of it,
templated ones: see ``bench.common.bench_questions``), timing every ``ask`` and, inside it,
the embedder call and the two ``search`` calls (main + peer case-notes). Compose is the rest.

``--load 1`` runs one CPU-bound process (a busy loop) beside every run, so the second of two
cores is taken as the issue 15 budgets assume; the load average is recorded with each run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from bench.common import (
    BUNDLED_MODEL,
    CACHE,
    PLAYBOOKS,
    ROOT,
    across_runs,
    bench_questions,
    machine,
    peak_rss_mb,
    rss_mb,
    run_json,
    summary,
    write_result,
)
from retrieval.embeddings import embedder_identity

WARMUP = (
    "warm-up: what is a smart city playbook?",
    "warm-up: who owns the sensor data?",
    "warm-up: how do we start a pilot?",
    "warm-up: what does the privacy office review?",
    "warm-up: where are the case notes?",
)


class TimedEmbedder:
    """Delegates to the real embedder and records how long each call took."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds: list[float] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def identity(self) -> dict[str, str] | None:
        """The real embedder's (recorded in the manifest, as a build without the timer would)."""
        return embedder_identity(self.inner)

    def embed(self, texts: Any, *, progress: bool = False) -> np.ndarray:
        started = time.perf_counter()
        out = self.inner.embed(texts, progress=progress)
        self.seconds.append(time.perf_counter() - started)
        return out

    def embed_spans(self, texts: Any, spans: Any, *, progress: bool = False) -> Any:
        started = time.perf_counter()  # a question of several parts is embedded here
        out = self.inner.embed_spans(texts, spans, progress=progress)
        self.seconds.append(time.perf_counter() - started)
        return out


def _real_embedder(backend: str, threads: int | None) -> Any:
    """The product's embedder: ONNX Runtime (default) or the torch reference."""
    if backend == "onnx":
        from retrieval.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(BUNDLED_MODEL, cache_dir=ROOT / ".advisor" / "models", threads=threads)
    import torch

    from retrieval.embeddings import SentenceTransformerEmbedder

    if threads:
        torch.set_num_threads(threads)
    return SentenceTransformerEmbedder(BUNDLED_MODEL)


def one_run(corpus: str, count: int, threads: int | None, backend: str = "onnx") -> dict[str, Any]:
    import retrieval.engine as engine
    from retrieval.engine import Advisor
    from retrieval.index import load_index

    started = time.perf_counter()
    real = _real_embedder(backend, threads)
    t_model = time.perf_counter()
    rss_model = rss_mb()
    embedder = TimedEmbedder(real)
    if corpus == "shipped":
        advisor, _, _ = Advisor.open(
            playbooks_dir=PLAYBOOKS, index_dir=CACHE / "shipped-index", embedder=embedder
        )
    else:
        from bench.synthetic import index_dir

        index = load_index(index_dir(int(corpus.split("-")[1].rstrip("k")) * 1000))
        if index is None:
            raise SystemExit(f"no {corpus} index: run python -m bench.synthetic first")
        advisor = Advisor(index, embedder)
    t_index = time.perf_counter()
    rss_index = rss_mb()

    search_seconds: list[float] = []
    real_search = engine.search

    def timed_search(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = real_search(*args, **kwargs)
        search_seconds.append(time.perf_counter() - t0)
        return out

    engine.search = timed_search
    for q in WARMUP:
        advisor.ask(q)
    questions = bench_questions(count)
    embedder.seconds.clear()
    search_seconds.clear()
    total, embed, search, compose, cpu = [], [], [], [], []
    abstained = 0
    for q in questions:
        n_embed, n_search = len(embedder.seconds), len(search_seconds)
        t0, c0 = time.perf_counter(), time.thread_time()
        answer = advisor.ask(q)
        elapsed = time.perf_counter() - t0
        cpu.append((time.thread_time() - c0) * 1000)  # this thread's CPU: load moves it little
        e = sum(embedder.seconds[n_embed:])
        s = sum(search_seconds[n_search:])
        total.append(elapsed * 1000)
        embed.append(e * 1000)
        search.append(s * 1000)
        compose.append((elapsed - e - s) * 1000)
        abstained += answer.abstained
    engine.search = real_search
    return {
        "corpus": corpus,
        "backend": backend,
        "threads": threads,
        "chunks": len(advisor.index.chunks),
        "documents": advisor.document_count,
        "questions": len(questions),
        "distinct_questions": len(set(questions)),
        "embedder_cache_entries": len(real._cache._vectors),
        "abstained": abstained,
        "model_load_s": t_model - started,
        "index_open_s": t_index - t_model,
        "rss_after_model_mb": rss_model,
        "rss_after_index_mb": rss_index,
        "peak_rss_mb": peak_rss_mb(),
        "total_ms": summary(total),
        "cpu_ms": summary(cpu),
        "embed_ms": summary(embed),
        "search_ms": summary(search),
        "compose_ms": summary(compose),
        "search_plus_compose_ms": summary([s + c for s, c in zip(search, compose, strict=True)]),
    }


@contextlib.contextmanager
def cpu_load(processes: int) -> Iterator[None]:
    """``processes`` busy loops for the duration (each keeps one core busy)."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)
    ]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def run(
    corpus: str,
    runs: int,
    count: int,
    threads: int | None,
    backend: str = "onnx",
    load: int = 0,
) -> dict[str, Any]:
    per_run = []
    args = ["-m", "bench.bench_latency", "--one-run", "--corpus", corpus, "--questions", str(count)]
    args += ["--backend", backend]
    if threads:
        args += ["--torch-threads", str(threads)]
    for i in range(runs):
        with cpu_load(load):
            result = run_json(args)
            result["load_average_after"] = os.getloadavg()[0]
        per_run.append(result)
        t = result["total_ms"]
        print(
            f"{corpus}{' threads=' + str(threads) if threads else ''} run {i + 1}: p50 {t['median']:.1f} ms  p95 {t['p95']:.1f} ms  "
            f"embed p95 {result['embed_ms']['p95']:.1f} ms  "
            f"CPU p50 {result['cpu_ms']['median']:.1f} / p95 {result['cpu_ms']['p95']:.1f} ms  "
            f"peak RSS {result['peak_rss_mb']:.0f} MiB  (load {result['load_average_after']:.1f})",
            flush=True,
        )
    rows = [
        {
            **{
                f"{part}_{stat}": r[f"{part}_ms"][stat]
                for part in ("total", "embed", "search", "compose", "search_plus_compose", "cpu")
                for stat in ("median", "p95")
            },
            "peak_rss_mb": r["peak_rss_mb"],
            "rss_after_index_mb": r["rss_after_index_mb"],
            "index_open_s": r["index_open_s"],
        }
        for r in per_run
    ]
    across = {key: across_runs(rows, key) for key in rows[0]}
    return {"corpus": corpus, "load_processes": load, "runs": per_run, "across_runs": across}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="shipped")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="the embedder's threads (torch.set_num_threads, or ONNX intra-op threads)",
    )
    parser.add_argument("--backend", choices=("onnx", "torch"), default="onnx")
    parser.add_argument(
        "--load", type=int, default=0, help="busy-loop processes run beside each measured run"
    )
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        print(json.dumps(one_run(args.corpus, args.questions, args.torch_threads, args.backend)))
        return
    data = run(args.corpus, args.runs, args.questions, args.torch_threads, args.backend, args.load)
    data["machine"] = machine()
    suffix = f"_threads{args.torch_threads}" if args.torch_threads else ""
    suffix += "" if args.backend == "onnx" else f"_{args.backend}"
    suffix += f"_load{args.load}" if args.load else ""
    path = write_result(f"latency_{args.corpus}{suffix}", data)
    a = data["across_runs"]
    print(
        f"{args.corpus}: p50 {a['total_median']['median']:.1f} ms, "
        f"p95 {a['total_p95']['median']:.1f} ms (median over {args.runs} runs; "
        f"worst-run p95 {a['total_p95']['max']:.1f} ms); "
        f"peak RSS {statistics.median(r['peak_rss_mb'] for r in data['runs']):.0f} MiB -> {path}"
    )


if __name__ == "__main__":
    main()
