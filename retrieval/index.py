"""Build, refresh and load the hybrid index (faiss + BM25 over the same chunks).

Builds are incremental: a chunk whose id (a hash of its document, heading path and text) was
in the previous generation keeps its vector, so only changed or new text is re-embedded and
deleted files drop out. A different embedding model or dimension forces a full rebuild.
Loading never embeds anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from retrieval import index_store
from retrieval.bm25 import BM25Index
from retrieval.chunking import DEFAULT_MAX_CHARS, chunk_document
from retrieval.documents import Corpus
from retrieval.embeddings import Embedder
from retrieval.errors import IndexError_
from retrieval.models import Chunk, Document

CHUNKING_VERSION = 1


@dataclass
class LoadedIndex:
    """A live generation in memory: chunks in vector order, their vectors and BM25."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    documents: dict[str, dict[str, Any]]
    vectors: faiss.Index
    bm25: BM25Index
    by_doc: dict[str, list[int]] = field(default_factory=dict)
    # filters -> allowed chunk positions, memoized by ``retrieval.search`` (read-only arrays)
    allowed_cache: dict[Any, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for position, chunk in enumerate(self.chunks):
            self.by_doc.setdefault(chunk.doc_id, []).append(position)

    @property
    def model(self) -> str:
        return str(self.manifest["model"])

    @property
    def document_count(self) -> int:
        return len(self.documents)

    def file_hashes(self) -> dict[str, str]:
        return {path: info["hash"] for path, info in self.manifest["files"].items()}

    def check_model(self, embedder: Embedder) -> None:
        if self.model != embedder.name or int(self.manifest["dimension"]) != embedder.dimension:
            raise IndexError_(
                f"index was built with model {self.model!r} but settings name "
                f"{embedder.name!r}; run `advisor index` to rebuild it for the new model"
            )


@dataclass(frozen=True)
class BuildReport:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    full_rebuild: bool = False
    written: bool = False
    seconds: float = 0.0

    @property
    def summary(self) -> str:
        if not self.written:
            return f"index up to date ({self.unchanged} files, {self.chunks_total} chunks)"
        kind = "rebuilt" if self.full_rebuild else "updated"
        return (
            f"index {kind}: {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged files; "
            f"{self.chunks_embedded} chunks embedded, {self.chunks_reused} reused "
            f"({self.chunks_total} total) in {self.seconds:.1f}s"
        )


def load_index(index_dir: Path) -> LoadedIndex | None:
    """The live generation, or ``None`` when no index has been built yet."""
    generation = index_store.current_generation(index_dir)
    if generation is None:
        return None
    manifest = index_store.read_manifest(generation)
    chunks, documents, vectors, bm25 = index_store.read_generation(generation)
    return LoadedIndex(manifest, chunks, documents, vectors, bm25)


def build_index(
    corpus: Corpus,
    embedder: Embedder,
    index_dir: Path,
    *,
    rebuild: bool = False,
    progress: bool = False,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> tuple[LoadedIndex, BuildReport]:
    """Bring the index in ``index_dir`` up to date with ``corpus``; returns it and a report."""
    started = time.perf_counter()
    with index_store.build_lock(index_dir):
        previous = None if rebuild else _reusable(index_dir, embedder)
        old_hashes = previous.file_hashes() if previous else {}
        new_hashes = {doc.path: doc.content_hash for doc in corpus.documents}
        settings_same = previous is not None and previous.manifest.get("chunking") == _chunking(
            max_chars
        )
        if settings_same and previous is not None and old_hashes == new_hashes:
            return previous, BuildReport(
                unchanged=len(new_hashes), chunks_total=len(previous.chunks)
            )
        chunks = [c for doc in corpus.documents for c in chunk_document(doc, max_chars=max_chars)]
        vectors, embedded = _vectors_for(chunks, previous, embedder, progress)
        manifest = {
            "model": embedder.name,
            "dimension": embedder.dimension,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "chunking": _chunking(max_chars),
            "chunk_count": len(chunks),
            "files": {
                doc.path: {"hash": doc.content_hash, "doc_id": doc.id} for doc in corpus.documents
            },
        }
        documents = {doc.id: document_record(doc) for doc in corpus.documents}
        bm25 = BM25Index.build([c.index_text for c in chunks])
        generation = index_store.write_generation(
            index_dir,
            manifest=manifest,
            chunks=chunks,
            documents=documents,
            vectors=vectors,
            bm25=bm25,
        )
    loaded = LoadedIndex(
        index_store.read_manifest(generation),
        chunks,
        documents,
        faiss.read_index(str(generation / "vectors.faiss")),
        bm25,
    )
    report = BuildReport(
        added=tuple(sorted(set(new_hashes) - set(old_hashes))),
        changed=tuple(
            sorted(p for p in new_hashes if p in old_hashes and old_hashes[p] != new_hashes[p])
        ),
        removed=tuple(sorted(set(old_hashes) - set(new_hashes))),
        unchanged=sum(1 for p in new_hashes if old_hashes.get(p) == new_hashes[p]),
        chunks_total=len(chunks),
        chunks_embedded=embedded,
        chunks_reused=len(chunks) - embedded,
        full_rebuild=previous is None,
        written=True,
        seconds=time.perf_counter() - started,
    )
    return loaded, report


def document_record(doc: Document) -> dict[str, Any]:
    """What citations and filters need of a document, persisted with the index."""
    return {
        "title": doc.title,
        "kind": doc.kind,
        "path": doc.path,
        "tags": list(doc.tags),
        "city": doc.city,
        "sources": list(doc.sources),
        "updated": doc.updated.isoformat() if doc.updated else None,
    }


def _chunking(max_chars: int) -> dict[str, int]:
    return {"version": CHUNKING_VERSION, "max_chars": max_chars}


def _reusable(index_dir: Path, embedder: Embedder) -> LoadedIndex | None:
    """The previous generation if its vectors can be reused with ``embedder``."""
    previous = load_index(index_dir)  # a damaged or newer index raises: --rebuild replaces it
    if previous is None:
        return None
    same_model = previous.model == embedder.name
    if not same_model or int(previous.manifest["dimension"]) != embedder.dimension:
        return None
    return previous


def _vectors_for(
    chunks: list[Chunk], previous: LoadedIndex | None, embedder: Embedder, progress: bool
) -> tuple[np.ndarray, int]:
    vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    old_positions: dict[str, int] = {}
    old_vectors = np.zeros((0, embedder.dimension), dtype=np.float32)
    if previous is not None and previous.vectors.ntotal:
        old_positions = {c.id: i for i, c in enumerate(previous.chunks)}
        old_vectors = previous.vectors.reconstruct_n(0, previous.vectors.ntotal)
    missing = []
    for position, chunk in enumerate(chunks):
        old = old_positions.get(chunk.id)
        if old is None:
            missing.append(position)
        else:
            vectors[position] = old_vectors[old]
    if missing:
        texts = [chunks[p].index_text for p in missing]
        vectors[missing] = embedder.embed(texts, progress=progress)
    return vectors, len(missing)
