"""Cold start: a fresh process, from start to the first answer printed, with a persisted index.

Run from the repo root: ``python -m bench.bench_cold_start [--runs 5]``.

Per run, two fresh processes against the same persisted index of the shipped corpus
(``ADVISOR_INDEX_DIR``; built beforehand, so no run embeds a chunk):

- ``advisor ask QUESTION --json`` (the installed console script), timed from just before
  ``Popen`` to the first byte on stdout;
- ``python -m bench.cold_probe QUESTION``: the same steps with a timestamp and the process's
  CPU time after each phase (interpreter start, the CLI's imports, the model session, index
  load + corpus freshness check, first answer).

The ONNX export is the one ``make install`` made (``ADVISOR_MODEL_CACHE_DIR`` points at it),
so no run exports the model, and its optimized graph is made before the first run if
``make install`` did not (``retrieval.onnx_embedder.ensure_optimized``); the results record
which graph the sessions load. The page cache is warm after the first run (files are not
evicted between runs).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import BUNDLED_MODEL, CACHE, PLAYBOOKS, ROOT, machine, summary, write_result

MODELS = ROOT / ".advisor" / "models"  # the export `make install` made

QUESTIONS = (
    "How did other cities get police and IT to agree on how long camera footage is kept?",
    "Do we need a privacy impact assessment for traffic sensors?",
    "What should go in a data sharing agreement with a university?",
    "How do we avoid vendor lock-in when buying smart streetlights?",
    "Who should sit on a privacy advisory commission?",
)
PHASES = (
    "interpreter_start",
    "import_cli",
    "model_load",
    "index_load",
    "first_answer",
)


def ensure_index(index_dir: Path) -> str:
    """Build the index if it is not current; the name of the graph the model sessions load
    (making the optimized graph first if there is none)."""
    from retrieval.documents import load_corpus
    from retrieval.index import build_index
    from retrieval.onnx_embedder import OnnxEmbedder

    embedder = OnnxEmbedder(BUNDLED_MODEL, cache_dir=MODELS)
    build_index(load_corpus(PLAYBOOKS), embedder, index_dir)
    return embedder.graph.name


def cli_run(env: dict[str, str], question: str) -> float:
    advisor = str(Path(sys.executable).parent / "advisor")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [advisor, "ask", question, "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    first = proc.stdout.read(1)
    elapsed = time.perf_counter() - started
    rest = proc.stdout.read()
    proc.wait()
    if proc.returncode != 0 or not first:
        raise RuntimeError(f"advisor ask failed: {proc.stderr.read().decode()[-2000:]}")
    json.loads(first + rest)
    return elapsed


def probe_run(env: dict[str, str], question: str) -> dict[str, Any]:
    env = {**env, "BENCH_T0": repr(time.time())}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.cold_probe", question],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    info = json.loads(proc.stderr.strip().splitlines()[-1])
    if info["rebuilt"]:
        raise RuntimeError("the probe rebuilt the index; the cold start would not be cold-start")
    if info["heavy_modules"]:
        raise RuntimeError(f"the probe imported {info['heavy_modules']}")
    marks, cpu = info["marks"], info["cpu"]
    phases, cpu_phases = {}, {}
    previous, previous_cpu = 0.0, 0.0
    for name in PHASES:
        phases[name] = marks[name] - previous
        cpu_phases[name] = cpu[name] - previous_cpu
        previous, previous_cpu = marks[name], cpu[name]
    return {
        "total": marks["first_answer"],
        "cpu_total": cpu["first_answer"],
        "phases": phases,
        "cpu_phases": cpu_phases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    index_dir = CACHE / "cold-start-index"
    graph = ensure_index(index_dir)
    print(f"model graph: {graph}", flush=True)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "ADVISOR_INDEX_DIR": str(index_dir),
            "ADVISOR_PLAYBOOKS_DIR": str(PLAYBOOKS),
            "ADVISOR_DATA_DIR": data_dir,
            "ADVISOR_MODEL_CACHE_DIR": str(MODELS),
        }
        cli, probes = [], []
        for run in range(args.runs):
            question = QUESTIONS[run % len(QUESTIONS)]
            cli.append(cli_run(env, question))
            probes.append(probe_run(env, question))
            print(
                f"cold start run {run + 1} (load {os.getloadavg()[0]:.1f}): advisor ask "
                f"{cli[-1]:.2f}s; probe "
                + ", ".join(f"{k} {v:.2f}" for k, v in probes[-1]["phases"].items())
                + f"; probe CPU {probes[-1]['cpu_total']:.2f}s: "
                + ", ".join(f"{k} {v:.2f}" for k, v in probes[-1]["cpu_phases"].items()),
                flush=True,
            )
    data: dict[str, Any] = {
        "machine": machine(),
        "model_graph": graph,
        "cli_seconds": summary(cli),
        "cli_runs": cli,
        "probe_total_seconds": summary([p["total"] for p in probes]),
        "probe_phases_seconds": {
            name: summary([p["phases"][name] for p in probes]) for name in PHASES
        },
        "probe_cpu_seconds": summary([p["cpu_total"] for p in probes]),
        "probe_cpu_phases_seconds": {
            name: summary([p["cpu_phases"][name] for p in probes]) for name in PHASES
        },
        "probe_runs": probes,
    }
    path = write_result("cold_start", data)
    print(
        f"cold start: median {data['cli_seconds']['median']:.2f}s, "
        f"p95 {data['cli_seconds']['p95']:.2f}s -> {path}"
    )


if __name__ == "__main__":
    main()
