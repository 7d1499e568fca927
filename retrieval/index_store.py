"""On-disk layout of the index, written atomically.

    index_dir/
      CURRENT              name of the live generation (replaced atomically)
      .lock                held while a build writes
      gen-<stamp>/         one complete generation
        manifest.json      written last: format, model, dimension, per-file content hashes
        chunks.jsonl       chunk metadata and text, in vector order
        documents.json     per-document metadata used for citations
        vectors.faiss      faiss IndexFlatIP over L2-normalized vectors
        bm25.npz           BM25 postings over the same chunks
        units.npy          float16 vectors of every chunk's answer units (memory-mapped)
        unit_offsets.npy   where each chunk's units start in units.npy
        headings.npy       float16 vector of each chunk's "Title › Section" (memory-mapped)
        vocabulary.json    every word of the chunks with its count (spelling correction)

A build writes a whole new generation, fsyncs it, then swaps ``CURRENT``; a crash at any
point leaves the previous generation live. Old generations are removed after the swap.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from retrieval.bm25 import BM25Index
from retrieval.errors import IndexError_
from retrieval.models import Chunk

FORMAT_VERSION = 3  # 2: unit vectors; 3: vocabulary
CURRENT = "CURRENT"


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Serialize builds of one index dir across processes."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    generation = index_dir / name
    if not name.startswith("gen-") or not (generation / "manifest.json").exists():
        raise IndexError_(
            f"index at {index_dir} is damaged ({CURRENT} points to {name!r}); "
            "run `advisor index --rebuild`"
        )
    return generation


def read_manifest(generation: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexError_(
            f"index manifest unreadable ({type(exc).__name__}); run `advisor index --rebuild`"
        ) from exc
    version = manifest.get("format")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise IndexError_(
            f"index at {generation.parent} has format {version!r}, newer than this version of "
            f"policy-advisor understands ({FORMAT_VERSION}); upgrade, or run "
            "`advisor index --rebuild` to replace it"
        )
    return manifest


def read_current_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The live generation's manifest only (no vectors, no BM25), or ``None`` if no index."""
    generation = current_generation(index_dir)
    return None if generation is None else read_manifest(generation)


def write_generation(
    index_dir: Path,
    *,
    manifest: dict[str, Any],
    chunks: list[Chunk],
    documents: dict[str, dict[str, Any]],
    vectors: np.ndarray,
    bm25: BM25Index,
    unit_vectors: np.ndarray,
    unit_offsets: np.ndarray,
    heading_vectors: np.ndarray,
    vocabulary: dict[str, int],
) -> Path:
    """Write a complete generation and make it live. Returns its folder."""
    name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir(parents=True)
    try:
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        _write_json(tmp / "documents.json", documents)
        flat = faiss.IndexFlatIP(int(manifest["dimension"]))
        if len(vectors):
            flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(flat, str(tmp / "vectors.faiss"))
        bm25.save(tmp / "bm25.npz")
        np.save(tmp / "units.npy", np.ascontiguousarray(unit_vectors, dtype=np.float16))
        np.save(tmp / "unit_offsets.npy", np.asarray(unit_offsets, dtype=np.int64))
        np.save(tmp / "headings.npy", np.ascontiguousarray(heading_vectors, dtype=np.float16))
        _write_json(tmp / "vocabulary.json", vocabulary)
        _write_json(tmp / "manifest.json", {**manifest, "format": FORMAT_VERSION})
        for path in tmp.iterdir():
            _fsync(path)
        final = index_dir / name
        tmp.rename(final)
        pointer_tmp = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
        pointer_tmp.write_text(name + "\n", encoding="utf-8")
        _fsync(pointer_tmp)
        os.replace(pointer_tmp, index_dir / CURRENT)
        _fsync(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_stale(index_dir, keep=name)
    return final


def read_generation(
    generation: Path,
) -> tuple[
    list[Chunk],
    dict[str, dict[str, Any]],
    faiss.Index,
    BM25Index,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    dict[str, int],
]:
    try:
        chunks = [
            _chunk_from(json.loads(line))
            for line in (generation / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        documents = json.loads((generation / "documents.json").read_text(encoding="utf-8"))
        vectors = faiss.read_index(str(generation / "vectors.faiss"))
        bm25 = BM25Index.load(generation / "bm25.npz")
        units = np.load(generation / "units.npy", mmap_mode="r")
        offsets = np.load(generation / "unit_offsets.npy")
        headings = np.load(generation / "headings.npy", mmap_mode="r")
        vocabulary = json.loads((generation / "vocabulary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexError_(
            f"index files in {generation} are unreadable ({type(exc).__name__}); "
            "run `advisor index --rebuild`"
        ) from exc
    consistent = (
        vectors.ntotal == len(chunks)
        and bm25.size == len(chunks)
        and offsets.shape == (len(chunks) + 1,)
        and (not len(chunks) or int(offsets[-1]) == units.shape[0])
        and units.ndim == 2
        and units.shape[1] == vectors.d
        and headings.shape == (len(chunks), vectors.d)
    )
    if not consistent:
        raise IndexError_(f"index in {generation} is inconsistent; run `advisor index --rebuild`")
    return chunks, documents, vectors, bm25, units, offsets, headings, vocabulary


def _chunk_from(data: dict[str, Any]) -> Chunk:
    data["headings"] = tuple(data["headings"])
    data["tags"] = tuple(data["tags"])
    return Chunk(**data)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, default=_json_default), encoding="utf-8")


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale(index_dir: Path, *, keep: str) -> None:
    for path in index_dir.iterdir():
        stale_gen = path.name.startswith("gen-") and path.name != keep
        if stale_gen or path.name.startswith(".tmp-gen-"):
            shutil.rmtree(path, ignore_errors=True)
