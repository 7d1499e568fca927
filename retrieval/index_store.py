"""On-disk layout of the index, written atomically.

    index_dir/
      CURRENT              name of the live generation (replaced atomically)
      .lock                held while a build writes
      gen-<stamp>/         one complete generation
        manifest.json      written last: format, model, dimension, the playbook files'
                           hashes, and the size and SHA-256 of every file below
        chunks.jsonl       chunk metadata and text, in vector order
        documents.json     per-document metadata used for citations
        vectors.faiss      faiss IndexFlatIP over L2-normalized vectors (retrieval.flat)
        bm25.npz           BM25 postings over the same chunks
        units.npy          float16 vectors of every chunk's answer units (read on demand)
        unit_offsets.npy   where each chunk's units start in units.npy
        headings.npy       float16 vector of each chunk's "Title › Section" (read on demand)
        vocabulary.json    every word of the chunks with its count (spelling correction)

A build writes a whole new generation, fsyncs it, then swaps ``CURRENT``; a crash at any
point leaves the previous generation live. Old generations are removed after the swap.

Damage after the fact (a disk error, a truncated copy, a stray edit) is caught against the
manifest: loading checks every file's size, ``verify_generation(checksums=True)`` (run by
``advisor index``) every byte. Either way it is an ``IndexDamaged`` naming the file, and a
build with ``rebuild=True`` recovers from any state of the folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
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

import numpy as np

from retrieval.bm25 import BM25Index
from retrieval.errors import IndexDamaged, IndexError_
from retrieval.flat import FlatVectors, NpyRows, read_flat, write_flat
from retrieval.models import Chunk

FORMAT_VERSION = 4  # 2: unit vectors; 3: vocabulary; 4: size and checksum of every file
CURRENT = "CURRENT"
LOCK = ".lock"
ARTIFACTS = (
    "chunks.jsonl",
    "documents.json",
    "vectors.faiss",
    "bm25.npz",
    "units.npy",
    "unit_offsets.npy",
    "headings.npy",
    "vocabulary.json",
)


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Serialize builds of one index dir across processes."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = index_dir / LOCK
    if lock.is_dir() and not lock.is_symlink():  # not ours to keep: a lock is a plain file
        shutil.rmtree(lock, ignore_errors=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's folder, ``None`` if no index was built; ``IndexDamaged`` if
    ``CURRENT`` is unreadable or names a generation that is not there."""
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, ValueError) as exc:
        raise IndexDamaged(index_dir, f"{CURRENT} is unreadable: {type(exc).__name__}") from None
    generation = index_dir / name
    if not _is_generation_name(name) or not (generation / "manifest.json").is_file():
        shown = name[:60] if name.isprintable() else "unreadable text"
        raise IndexDamaged(index_dir, f"{CURRENT} names {shown!r}, which is not there")
    return generation


def _is_generation_name(name: str) -> bool:
    return name.startswith("gen-") and "/" not in name and name.isprintable()


def read_manifest(generation: Path) -> dict[str, Any]:
    """The generation's manifest; ``IndexDamaged`` if unreadable, ``IndexError_`` if it was
    written by a newer version."""
    try:
        manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: bad JSON, or not UTF-8
        raise IndexDamaged(
            generation.parent, f"manifest.json is unreadable: {type(exc).__name__}"
        ) from None
    if not isinstance(manifest, dict):
        raise IndexDamaged(generation.parent, "manifest.json is not an object")
    version = manifest.get("format")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise IndexError_(
            f"index at {generation.parent} has format {version!r}, newer than this version of "
            f"policy-advisor understands ({FORMAT_VERSION}); upgrade, or run "
            "`advisor index --rebuild` to replace it"
        )
    return manifest


def verify_generation(
    generation: Path, manifest: dict[str, Any], *, checksums: bool = False
) -> list[str]:
    """What is wrong with the generation's files against its manifest: each file missing or
    of the wrong size, and with ``checksums`` each whose bytes changed. Empty if sound."""
    recorded = manifest.get("artifacts")
    if not isinstance(recorded, dict) or set(recorded) != set(ARTIFACTS):
        return ["manifest.json does not list the index files"]
    problems = []
    for name in ARTIFACTS:
        expected = recorded[name]
        path = generation / name
        if not isinstance(expected, dict) or not path.is_file():
            problems.append(f"{name} is missing")
            continue
        size = path.stat().st_size
        if size != expected.get("bytes"):
            problems.append(f"{name} is {size:,} bytes, not {expected.get('bytes')!r}")
        elif checksums and _sha256(path) != expected.get("sha256"):
            problems.append(f"{name} does not match its checksum")
    return problems


def check_generation(generation: Path, manifest: dict[str, Any], *, checksums: bool) -> None:
    """Raise ``IndexDamaged`` naming the first problem ``verify_generation`` finds."""
    problems = verify_generation(generation, manifest, checksums=checksums)
    if problems:
        more = f", and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise IndexDamaged(generation.parent, problems[0] + more)


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
        dimension = int(manifest["dimension"])
        write_flat(
            tmp / "vectors.faiss", np.asarray(vectors, dtype=np.float32).reshape(-1, dimension)
        )
        bm25.save(tmp / "bm25.npz")
        np.save(tmp / "units.npy", np.ascontiguousarray(unit_vectors, dtype=np.float16))
        np.save(tmp / "unit_offsets.npy", np.asarray(unit_offsets, dtype=np.int64))
        np.save(tmp / "headings.npy", np.ascontiguousarray(heading_vectors, dtype=np.float16))
        _write_json(tmp / "vocabulary.json", vocabulary)
        artifacts = {
            name: {"bytes": (tmp / name).stat().st_size, "sha256": _sha256(tmp / name)}
            for name in ARTIFACTS
        }
        _write_json(
            tmp / "manifest.json", {**manifest, "format": FORMAT_VERSION, "artifacts": artifacts}
        )
        for path in tmp.iterdir():
            _fsync(path)
        final = index_dir / name
        tmp.rename(final)
        pointer_tmp = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
        pointer_tmp.write_text(name + "\n", encoding="utf-8")
        _fsync(pointer_tmp)
        pointer = index_dir / CURRENT
        if pointer.is_dir() and not pointer.is_symlink():  # damage: the swap must still work
            shutil.rmtree(pointer)
        os.replace(pointer_tmp, pointer)
        _fsync(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_stale(index_dir, keep=name)
    return final


def read_generation(
    generation: Path, *, dimension: int
) -> tuple[
    list[Chunk],
    dict[str, dict[str, Any]],
    FlatVectors,
    BM25Index,
    NpyRows,
    np.ndarray,
    NpyRows,
    dict[str, int],
]:
    try:
        chunks, documents = _read_text(generation)
        vectors = read_flat(generation / "vectors.faiss")
        bm25 = BM25Index.load(generation / "bm25.npz")
        units = NpyRows(generation / "units.npy")
        offsets = np.load(generation / "unit_offsets.npy")
        headings = NpyRows(generation / "headings.npy")
        vocabulary = json.loads((generation / "vocabulary.json").read_text(encoding="utf-8"))
    except Exception as exc:  # any file that will not parse is damage (faiss, numpy, zip, JSON)
        raise IndexDamaged(
            generation.parent, f"its files are unreadable: {type(exc).__name__}"
        ) from None
    checks = {
        "vectors.faiss has the wrong dimension": vectors.d != dimension,
        "vectors.faiss and chunks.jsonl disagree": vectors.ntotal != len(chunks),
        "bm25.npz and chunks.jsonl disagree": bm25.size != len(chunks),
        "unit_offsets.npy and chunks.jsonl disagree": offsets.shape != (len(chunks) + 1,),
        "units.npy has the wrong shape": units.ndim != 2 or units.shape[1] != dimension,
        "units.npy and unit_offsets.npy disagree": bool(len(chunks))
        and offsets.shape == (len(chunks) + 1,)
        and int(offsets[-1]) != units.shape[0],
        "headings.npy has the wrong shape": headings.shape != (len(chunks), dimension),
        "documents.json or vocabulary.json is not an object": not isinstance(documents, dict)
        or not isinstance(vocabulary, dict),
    }
    wrong = [what for what, failed in checks.items() if failed]
    if wrong:
        raise IndexDamaged(generation.parent, wrong[0])
    return chunks, documents, vectors, bm25, units, offsets, headings, vocabulary


def salvage_text(
    index_dir: Path,
) -> tuple[dict[str, Any], list[Chunk], dict[str, dict[str, Any]]] | None:
    """From a damaged live generation, what can be trusted of its text: the manifest, the
    chunks and the document records, if those files still match their checksums. ``None``
    if not (or if there is no index). Vectors are never salvaged: they are re-embedded."""
    try:
        generation = current_generation(index_dir)
        if generation is None:
            return None
        manifest = read_manifest(generation)
        recorded = manifest.get("artifacts", {})
        for name in ("chunks.jsonl", "documents.json"):
            path = generation / name
            if not path.is_file() or _sha256(path) != recorded.get(name, {}).get("sha256"):
                return None
        chunks, documents = _read_text(generation)
    except Exception:  # anything unreadable: nothing to salvage
        return None
    return manifest, chunks, documents


def _read_text(generation: Path) -> tuple[list[Chunk], dict[str, dict[str, Any]]]:
    """The generation's chunks (in vector order) and citation records; raises on bad files."""
    shared: dict[Any, Any] = {}
    chunks = []
    with (generation / "chunks.jsonl").open(encoding="utf-8") as lines:
        for line in lines:  # one line at a time: the file is never held whole
            if line.strip():
                chunks.append(_chunk_from(json.loads(line), shared))
    documents = json.loads((generation / "documents.json").read_text(encoding="utf-8"))
    return chunks, documents


def _chunk_from(data: dict[str, Any], shared: dict[Any, Any]) -> Chunk:
    """A chunk whose document fields (id, title, kind, city, tags, heading path) are the one
    copy ``shared`` keeps for all the document's chunks: at 100k chunks that is ~1 KB a
    chunk the loaded index does not hold (BENCHMARKS.md, issue 15)."""
    for key in ("doc_id", "doc_title", "kind", "city"):
        data[key] = shared.setdefault(data[key], data[key])
    for key in ("headings", "tags"):
        value = tuple(shared.setdefault(part, part) for part in data[key])
        data[key] = shared.setdefault(value, value)
    return Chunk(**data)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, default=_json_default), encoding="utf-8")


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale(index_dir: Path, *, keep: str) -> None:
    for path in index_dir.iterdir():
        stale_gen = path.name.startswith("gen-") and path.name != keep
        stale_pointer = path.name.startswith(f".{CURRENT}.")  # a swap that crashed
        if not (stale_gen or stale_pointer or path.name.startswith(".tmp-gen-")):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
