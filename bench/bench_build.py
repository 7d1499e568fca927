"""Index build throughput, real embedding throughput, and incremental one-file rebuild.

Run from the repo root: ``python -m bench.bench_build [--runs 3]``.

- **Full build**: ``build_index(..., rebuild=True)`` of the shipped corpus into an empty temp
  dir with the real bundled MiniLM (loaded once, before timing), ``--runs`` times; chunks/s
  is ``chunks_total / report.seconds``; the embedder's share is timed separately.
- **Embedding throughput on a sample**: the real model embeds 1,024 synthetic chunk texts
  (``bench.synthetic``) in batches of 32; extrapolated to 100k chunks.
- **Incremental rebuild**: the corpus is copied to a temp dir and indexed; then, per run,
  one paragraph of one file (a different file each run) gets a sentence appended and the
  index is refreshed (``load_corpus`` + ``build_index``), timed in-process with the model
  warm (as the bot's refresh does) and end to end as ``advisor index`` in a fresh process
  (wall time, the child's CPU time and the load average are recorded per run).

``--only incremental`` runs the one-file rebuild alone, with the default ONNX embedder (the
export ``make install`` made) instead of torch: no full build, no model export.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_latency import TimedEmbedder
from bench.common import (
    BUNDLED_MODEL,
    CACHE,
    PLAYBOOKS,
    ROOT,
    machine,
    summary,
    write_result,
)
from retrieval.documents import load_corpus
from retrieval.embeddings import SentenceTransformerEmbedder
from retrieval.index import build_index

MODELS = ROOT / ".advisor" / "models"  # the export `make install` made

EDIT_FILES = (
    "guides/camera-footage-retention.md",
    "guides/privacy-impact-assessment.md",
    "case-notes/seattle-surveillance-ordinance.md",
    "guides/iot-cybersecurity.md",
    "case-notes/nyc-post-act.md",
)


def full_builds(embedder: TimedEmbedder, runs: int) -> list[dict[str, Any]]:
    corpus = load_corpus(PLAYBOOKS)
    out = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            embedder.seconds.clear()
            _, report = build_index(corpus, embedder, Path(tmp) / "index", rebuild=True)
            out.append(
                {
                    "documents": len(corpus.documents),
                    "chunks": report.chunks_total,
                    "seconds": report.seconds,
                    "embed_seconds": sum(embedder.seconds),
                    "chunks_per_s": report.chunks_total / report.seconds,
                }
            )
            print(f"full build: {out[-1]['chunks']} chunks in {report.seconds:.1f}s", flush=True)
    return out


def embedding_sample(embedder: SentenceTransformerEmbedder, runs: int) -> list[dict[str, Any]]:
    from bench.synthetic import synthetic_documents
    from retrieval.chunking import chunk_document

    corpus = load_corpus(PLAYBOOKS)
    docs, _ = synthetic_documents(corpus, 1500)
    texts = [c.index_text for d in docs for c in chunk_document(d)][:1024]
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        embedder.embed(texts)
        seconds = time.perf_counter() - started
        out.append(
            {
                "chunks": len(texts),
                "seconds": seconds,
                "chunks_per_s": len(texts) / seconds,
                "avg_chars": sum(map(len, texts)) / len(texts),
            }
        )
        print(f"embedding sample: {len(texts) / seconds:.1f} chunks/s", flush=True)
    return out


def _edit(path: Path, run: int) -> None:
    text = path.read_text(encoding="utf-8")
    paragraphs = list(re.finditer(r"(?m)^[A-Z][^\n]*[.!?]$", text))
    target = paragraphs[len(paragraphs) // 2]
    addition = f" Benchmark edit {run}: this sentence was added to one paragraph."
    path.write_text(text[: target.end()] + addition + text[target.end() :], encoding="utf-8")


def incremental(embedder: TimedEmbedder, runs: int) -> list[dict[str, Any]]:
    import resource

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus_dir = Path(tmp) / "playbooks"
        shutil.copytree(PLAYBOOKS, corpus_dir)
        index = Path(tmp) / "index"
        seed = CACHE / "cold-start-index"  # the same playbooks, indexed by bench_cold_start
        if seed.is_dir():
            shutil.copytree(seed, index)  # brought up to date below, not rebuilt from scratch
        build_index(load_corpus(corpus_dir), embedder, index)
        env = {
            **os.environ,
            "ADVISOR_PLAYBOOKS_DIR": str(corpus_dir),
            "ADVISOR_INDEX_DIR": str(index),
            "ADVISOR_DATA_DIR": str(Path(tmp) / "data"),
            "ADVISOR_MODEL_CACHE_DIR": str(MODELS),  # never export the model in a timed run
        }
        advisor = str(Path(sys.executable).parent / "advisor")
        for run in range(runs):
            edited = EDIT_FILES[run % len(EDIT_FILES)]
            _edit(corpus_dir / edited, run)
            embedder.seconds.clear()
            started = time.perf_counter()
            _, report = build_index(load_corpus(corpus_dir), embedder, index)
            warm = time.perf_counter() - started
            # the same edit again, through the CLI in a fresh process (model load included)
            _edit(corpus_dir / edited, run + 100)
            load = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            proc = subprocess.run(
                [advisor, "index"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
            )
            cli = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            out.append(
                {
                    "file": edited,
                    "changed": list(report.changed),
                    "chunks_embedded": report.chunks_embedded,
                    "chunks_reused": report.chunks_reused,
                    "warm_seconds": warm,
                    "warm_embed_seconds": sum(embedder.seconds),
                    "build_index_seconds": report.seconds,
                    "cli_seconds": cli,
                    "cli_cpu_seconds": cpu,
                    "load": load,
                    "cli_summary": proc.stdout.strip().splitlines()[-1] if proc.stdout else "",
                }
            )
            print(
                f"one-file rebuild ({edited}): {warm:.2f}s warm, {cli:.2f}s via `advisor index` "
                f"({cpu:.2f}s CPU, load {load:.1f})",
                flush=True,
            )
    return out


def only_incremental(runs: int) -> None:
    """The one-file rebuild alone, with the default ONNX embedder."""
    from retrieval.onnx_embedder import OnnxEmbedder

    incr = incremental(TimedEmbedder(OnnxEmbedder(BUNDLED_MODEL, cache_dir=MODELS)), runs)
    data: dict[str, Any] = {
        "machine": machine(),
        "runs": incr,
        "warm_seconds": summary([r["warm_seconds"] for r in incr]),
        "cli_seconds": summary([r["cli_seconds"] for r in incr]),
        "cli_cpu_seconds": summary([r["cli_cpu_seconds"] for r in incr]),
    }
    path = write_result("build_incremental", data)
    cli, cpu = data["cli_seconds"], data["cli_cpu_seconds"]
    print(
        f"`advisor index` after one edit: median {cli['median']:.2f}s, p95 {cli['p95']:.2f}s "
        f"(CPU median {cpu['median']:.2f}s) -> {path}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("incremental",), help="only this part (ONNX)")
    args = parser.parse_args()
    if args.only == "incremental":
        only_incremental(args.runs)
        return
    real = SentenceTransformerEmbedder(BUNDLED_MODEL)
    timed = TimedEmbedder(real)
    full = full_builds(timed, args.runs)
    sample = embedding_sample(real, args.runs)
    incr = incremental(timed, args.runs)
    sample_rate = summary([r["chunks_per_s"] for r in sample])
    data = {
        "machine": machine(),
        "full_build": {
            "runs": full,
            "seconds": summary([r["seconds"] for r in full]),
            "chunks_per_s": summary([r["chunks_per_s"] for r in full]),
            "embed_share": summary([r["embed_seconds"] / r["seconds"] for r in full]),
        },
        "embedding_sample": {
            "runs": sample,
            "chunks_per_s": sample_rate,
            "extrapolated_100k_hours": 100_000 / sample_rate["median"] / 3600,
        },
        "incremental": {
            "runs": incr,
            "warm_seconds": summary([r["warm_seconds"] for r in incr]),
            "cli_seconds": summary([r["cli_seconds"] for r in incr]),
        },
    }
    path = write_result("build", data)
    print(json.dumps({k: v for k, v in data.items() if k != "machine"}, default=str)[:2000])
    print(f"-> {path}")


if __name__ == "__main__":
    main()
