"""Shared helpers for the retrieval benchmarks: statistics, questions, results, machine info."""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "cache"
PLAYBOOKS = ROOT / "playbooks"
DEV_QUESTIONS = ROOT / "tests" / "data" / "dev_questions"
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (the value at rank ceil(pct/100 * n))."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[min(len(ordered), int(rank)) - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, p95, min and max of a list of numbers."""
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "min": min(values),
        "max": max(values),
    }


def across_runs(runs: Sequence[dict[str, Any]], key: str) -> dict[str, float]:
    """Median and p95 across runs of one per-run number."""
    return summary([float(r[key]) for r in runs])


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = func()
    return time.perf_counter() - started, value


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    versions = {}
    for name in ("numpy", "faiss", "torch", "sentence_transformers"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:  # informational only
            versions[name] = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
        "versions": versions,
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"benchmark": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **data}
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def run_json(args: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 3600):
    """Run ``python -m bench.<x> ...`` in a fresh process; its last stdout line is JSON."""
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# Questions: the dev set, variations of it, and templated ones; all distinct strings.

_PREFIXES = (
    "",
    "Quick question: ",
    "Our council asked me: ",
    "For the smart city working group, ",
    "hi, ",
)
_SUFFIXES = ("", " Thanks!", " Any examples from other cities?", " We need this by Friday.")
_TOPICS = (
    "camera footage retention",
    "a privacy impact assessment",
    "a surveillance ordinance",
    "a data sharing agreement with the university",
    "vendor lock-in in our sensor contract",
    "securing IoT devices bought with grant money",
    "community trust after a backlash",
    "an algorithm register",
    "measuring outcomes of the pilot",
    "scaling the pilot citywide",
    "regional collaboration with the county",
    "cost sharing between departments",
    "digital equity for the new kiosks",
    "stakeholder mapping for the streetlight network",
    "a working group charter",
    "license plate readers",
    "automated decision systems",
    "open data publishing",
)
_TEMPLATES = (
    "How do other cities handle {t}?",
    "What should we do first about {t}?",
    "who needs to sign off on {t}",
    "Is there a playbook for {t}?",
    "What went wrong elsewhere with {t}, and how do we avoid it?",
)


def dev_questions() -> list[str]:
    out = []
    for file in sorted(DEV_QUESTIONS.glob("*.yaml")):
        for item in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            out.append(" ".join(str(item["question"]).split()))
    return out


def bench_questions(count: int = 300, *, seed: int = 7) -> list[str]:
    """``count`` distinct questions: the dev set, then variations, then templated ones.

    Distinct strings (after the whitespace folding ``Advisor`` applies) so the embedder's
    per-process query cache never hits.
    """
    rng = random.Random(seed)
    base = dev_questions()
    seen: set[str] = set()
    out: list[str] = []

    def add(q: str) -> None:
        q = " ".join(q.split())
        if q not in seen:
            seen.add(q)
            out.append(q)

    for q in base:
        add(q)
    templated = [t.format(t=topic) for t in _TEMPLATES for topic in _TOPICS]
    rng.shuffle(templated)
    variants = [
        p + (q[0].lower() + q[1:] if p else q) + s
        for q in base
        for p in _PREFIXES
        for s in _SUFFIXES
    ]
    rng.shuffle(variants)
    pool = [x for pair in zip(templated, variants, strict=False) for x in pair] + variants
    for q in pool:
        if len(out) >= count:
            break
        add(q)
    return out[:count]
