"""Issue 15: the embedding backends side by side (torch, ONNX float32, ONNX int8).

Run from the repo root: ``python -m bench.bench_onnx [--runs 3] [--questions 300]``.

Per backend, each in fresh processes against the shipped playbooks:

- **cold start**: ``advisor ask Q --json`` (the installed script), Popen → first stdout byte,
  with a persisted index and (ONNX) the export already cached;
- **one-file edit**: append a sentence to one playbook (a different one per run), then
  ``advisor index`` end to end in a fresh process;
- **latency**: a worker process loads the embedder and the index, asks 5 warm-up questions,
  then ``--questions`` distinct ones through ``Advisor.ask``; p50/p95 per run, peak RSS;
- **full build**: ``build_index(rebuild=True)`` of the shipped corpus, model loaded first
  (chunks/s), once per run;
- **quality** (int8 only needs it; all are reported): ``evaluate`` on the dev set over an
  index built by that backend.

The machine is shared: medians across runs are reported, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_cold_start import cli_run
from bench.common import (
    BUNDLED_MODEL,
    CACHE,
    DEV_QUESTIONS,
    PLAYBOOKS,
    ROOT,
    bench_questions,
    machine,
    percentile,
    summary,
    write_result,
)

BACKENDS = ("torch", "onnx", "onnx-int8")
MODELS = ROOT / ".advisor" / "models"
EDIT_FILES = (
    "guides/camera-footage-retention.md",
    "guides/privacy-impact-assessment.md",
    "case-notes/seattle-surveillance-ordinance.md",
)
QUESTION = "How did other cities get police and IT to agree on how long camera footage is kept?"


def _embedder(backend: str, threads: int | None = None) -> Any:
    if backend == "torch":
        from retrieval.embeddings import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(BUNDLED_MODEL, threads=threads, cache_dir=MODELS)
    from retrieval.onnx_embedder import OnnxEmbedder

    precision = "int8" if backend == "onnx-int8" else "float32"
    return OnnxEmbedder(BUNDLED_MODEL, cache_dir=MODELS, threads=threads, precision=precision)


def _index_dir(backend: str) -> Path:
    # torch and onnx float32 share an index (same vectors); int8 needs its own
    return CACHE / ("onnx-int8-index" if backend == "onnx-int8" else "backends-index")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- workers (fresh processes) ---------------------------------------------------------------


def worker_latency(backend: str, count: int, threads: int | None) -> dict[str, Any]:
    from bot.answers.setup import search_options
    from bot.settings import Settings
    from retrieval.engine import Advisor
    from retrieval.evaluation import evaluate, load_questions
    from retrieval.index import load_index

    embedder = _embedder(backend, threads)
    index = load_index(_index_dir(backend))
    assert index is not None
    advisor = Advisor(index, embedder, search_options(Settings(_env_file=None)))
    for i in range(5):
        advisor.ask(f"warm-up {i}: who owns the sensor data?")
    times = []
    for question in bench_questions(count):
        started = time.perf_counter()
        advisor.ask(question)
        times.append(time.perf_counter() - started)
    peak = _peak_rss_mb()
    metrics = evaluate(advisor, load_questions(DEV_QUESTIONS))
    return {
        "p50_ms": percentile(times, 50) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "peak_rss_mb": peak,
        "metrics": metrics.__dict__,
        "load": os.getloadavg(),
    }


def worker_build(backend: str, threads: int | None) -> dict[str, Any]:
    from retrieval.documents import load_corpus
    from retrieval.index import build_index

    embedder = _embedder(backend, threads)
    corpus = load_corpus(PLAYBOOKS)
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        _, report = build_index(corpus, embedder, Path(scratch), rebuild=True)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "chunks": report.chunks_total,
        "chunks_per_s": report.chunks_total / seconds,
        "load": os.getloadavg(),
    }


def worker_ensure_index(backend: str) -> dict[str, Any]:
    from retrieval.documents import load_corpus
    from retrieval.index import build_index

    _, report = build_index(load_corpus(PLAYBOOKS), _embedder(backend), _index_dir(backend))
    return {"written": report.written}


# -- the driver --------------------------------------------------------------------------------


def _worker(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_onnx", "--worker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _env(backend: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update(
        ADVISOR_EMBEDDING_BACKEND="torch" if backend == "torch" else "onnx",
        ADVISOR_MODEL_CACHE_DIR=str(MODELS),
        **extra,
    )
    return env


def cold_ask(backend: str, data_dir: Path) -> float:
    env = _env(
        backend,
        ADVISOR_DATA_DIR=str(data_dir),
        ADVISOR_INDEX_DIR=str(_index_dir(backend)),
        ADVISOR_PLAYBOOKS_DIR=str(PLAYBOOKS),
    )
    return cli_run(env, QUESTION)


def one_file_edit(backend: str, run: int, scratch: Path) -> float:
    playbooks = scratch / f"playbooks-{backend}-{run}"
    shutil.copytree(PLAYBOOKS, playbooks)
    index_dir = scratch / f"index-{backend}-{run}"
    shutil.copytree(_index_dir(backend), index_dir)
    edited = playbooks / EDIT_FILES[run % len(EDIT_FILES)]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text + f"\nBenchmark edit {run}: one sentence added.\n", encoding="utf-8")
    env = _env(
        backend,
        ADVISOR_DATA_DIR=str(scratch / "data"),
        ADVISOR_INDEX_DIR=str(index_dir),
        ADVISOR_PLAYBOOKS_DIR=str(playbooks),
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "advisor"), "index"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 or "1 changed" not in proc.stdout:
        raise RuntimeError(proc.stdout + proc.stderr[-2000:])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--skip", default="", help="comma list: cold,edit,latency,build")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--build-runs", type=int, default=2)
    parser.add_argument("--worker", nargs="+", default=None)
    args = parser.parse_args()
    if args.worker:
        kind, backend, *rest = args.worker
        threads = int(rest[1]) if len(rest) > 1 and rest[1] != "-" else None
        if kind == "latency":
            out = worker_latency(backend, int(rest[0]), threads)
        elif kind == "build":
            out = worker_build(backend, threads)
        else:
            out = worker_ensure_index(backend)
        print(json.dumps(out, default=str))
        return
    skip = set(args.skip.split(","))
    results: dict[str, Any] = {"machine": machine()}
    thread_arg = str(args.threads) if args.threads else "-"
    for backend in args.backends.split(","):
        _worker("ensure", backend)
        data: dict[str, Any] = {}
        cli = backend != "onnx-int8"  # no setting selects int8: the CLI would embed float32
        with tempfile.TemporaryDirectory() as scratch_name:
            scratch = Path(scratch_name)
            if "cold" not in skip and cli:
                runs = [cold_ask(backend, scratch / "data") for _ in range(args.runs + 2)]
                data["cold_ask_s"] = summary(runs) | {"runs": runs}
                print(backend, "cold", runs, flush=True)
            if "edit" not in skip and cli:
                runs = [one_file_edit(backend, r, scratch) for r in range(args.runs)]
                data["one_file_index_s"] = summary(runs) | {"runs": runs}
                print(backend, "edit", runs, flush=True)
        if "latency" not in skip:
            runs = [
                _worker("latency", backend, str(args.questions), thread_arg)
                for _ in range(args.runs)
            ]
            data["latency"] = runs
            data["ask_p50_ms"] = summary([r["p50_ms"] for r in runs])
            data["ask_p95_ms"] = summary([r["p95_ms"] for r in runs])
            data["peak_rss_mb"] = summary([r["peak_rss_mb"] for r in runs])
            data["metrics"] = runs[0]["metrics"]
        if "build" not in skip:
            runs = [_worker("build", backend, "0", thread_arg) for _ in range(args.build_runs)]
            data["build"] = runs
            data["chunks_per_s"] = summary([r["chunks_per_s"] for r in runs])
        results[backend] = data
        print(backend, json.dumps(data, default=str), flush=True)
    path = write_result("onnx_backends", results)
    print(f"-> {path}")


if __name__ == "__main__":
    main()
