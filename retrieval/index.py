"""Build, refresh and load the hybrid index (faiss + BM25 over the same chunks).

Builds are incremental: a chunk whose id (a hash of its document, heading path and text) was
in the previous generation keeps its vector, so only changed or new text is re-embedded and
deleted files drop out. A different embedding model or dimension forces a full rebuild.
Loading never embeds anything.

Each chunk also carries one vector per answer unit (``retrieval.units``: its sentences, list
items and table rows), pooled from the chunk's own token embeddings in the same model pass,
so answers can judge sentence relevance semantically. They are stored as float16 and read
from disk a few rows at a time (``retrieval.flat.NpyRows``), so a large index pays memory for
them only while a question reads them.

A playbook that was indexed and then broken by an edit keeps its last good version: its
chunks, vectors and citation record are carried over from the previous generation, and the
manifest marks the file ``kept`` (a broken file never indexed is ``skipped``). The manifest
records every file's hash as it is on disk, so an unchanged broken file does not force a
rebuild, and the caller still reports it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from retrieval import index_store
from retrieval.bm25 import BM25Index
from retrieval.chunking import DEFAULT_MAX_CHARS, chunk_document
from retrieval.documents import Corpus
from retrieval.embeddings import Embedder, embedder_identity, resolve_model_path, same_vectors
from retrieval.errors import EmbeddingError, IndexDamaged, IndexError_
from retrieval.flat import FlatVectors, NpyRows, read_flat
from retrieval.model_files import dictionary_words
from retrieval.models import Chunk, Document
from retrieval.spelling import Speller, count_words
from retrieval.text import TOKENIZER_VERSION, tokenize
from retrieval.units import Unit, answer_units

CHUNKING_VERSION = 2  # 2: oversize blocks are cut (retrieval.chunking)
UNIT_CACHE = 20_000  # chunks whose answer units are kept in memory between questions
UNITS_VERSION = 3  # bump when retrieval.units splits text or what is embedded changes (3: lists)
RECORDS_VERSION = 2  # bump when ``document_record`` keeps more (2: stakeholders); no re-embedding


@dataclass
class LoadedIndex:
    """A live generation in memory: chunks in vector order, their vectors and BM25."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    documents: dict[str, dict[str, Any]]
    vectors: FlatVectors  # faiss IndexFlatIP: exact inner-product search
    bm25: BM25Index
    # (units, dimension) float16, L2-normalized; loaded ones are read from disk on demand
    unit_vectors: np.ndarray | NpyRows
    unit_offsets: np.ndarray  # (chunks + 1,) int64: chunk i's units are rows [o[i], o[i+1])
    heading_vectors: np.ndarray | NpyRows  # (chunks, dimension) float16: "Title › Section"
    vocabulary: dict[str, int]  # every word of the chunks with its count
    by_doc: dict[str, list[int]] = field(default_factory=dict)
    # filters -> allowed chunk positions, memoized by ``retrieval.search`` (read-only arrays)
    allowed_cache: dict[Any, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    _units: dict[int, list[Unit]] = field(default_factory=dict, repr=False, compare=False)
    _unit_words: dict[int, list[frozenset[str]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    speller: Speller = field(init=False, repr=False, compare=False)
    doc_of: list[str] = field(init=False, repr=False, compare=False)  # position -> doc id
    boosts: dict[str, float] = field(init=False, repr=False, compare=False)  # curators' (≠ 1)

    def __post_init__(self) -> None:
        for position, chunk in enumerate(self.chunks):
            self.by_doc.setdefault(chunk.doc_id, []).append(position)
        self.doc_of = [chunk.doc_id for chunk in self.chunks]
        self.boosts = {
            doc_id: float(record.get("boost", 1.0))
            for doc_id, record in self.documents.items()
            if record.get("boost", 1.0) != 1.0
        }
        self.speller = Speller(self.vocabulary, dictionary=self._dictionary)

    def units(self, position: int) -> tuple[list[Unit], np.ndarray]:
        """The answer units of the chunk at ``position`` and their vectors (float32)."""
        units = self._units.get(position)
        if units is None:
            units = answer_units(self.chunks[position].text)
            if len(self._units) >= UNIT_CACHE:
                self._units.clear()  # bounded for a large index served for weeks
            self._units[position] = units  # a benign race: both threads compute the same
        start, end = int(self.unit_offsets[position]), int(self.unit_offsets[position + 1])
        return units, np.asarray(self.unit_vectors[start:end], dtype=np.float32)

    def unit_words(self, position: int) -> list[frozenset[str]]:
        """The search tokens of each answer unit of the chunk at ``position`` (cached)."""
        found = self._unit_words.get(position)
        if found is None:
            found = [frozenset(tokenize(u.text)) for u in self.units(position)[0]]
            if len(self._unit_words) >= UNIT_CACHE:
                self._unit_words.clear()
            self._unit_words[position] = found
        return found

    def _dictionary(self) -> frozenset[str]:
        """The embedding model's whole words: spelled right, so never "corrected"."""
        try:
            folder = Path(resolve_model_path(self.model))
        except EmbeddingError:
            return frozenset()
        return dictionary_words(folder)

    @property
    def model(self) -> str:
        return str(self.manifest["model"])

    @property
    def document_count(self) -> int:
        return len(self.documents)

    def file_hashes(self) -> dict[str, str]:
        """Every playbook file seen by the build, as it was on disk (broken ones too)."""
        return {path: info["hash"] for path, info in self.manifest["files"].items()}

    def indexed_paths(self) -> dict[str, str]:
        """doc id -> the file whose content the index holds for it (``kept`` ones too)."""
        return indexed_paths(self.manifest)

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
    kept: tuple[str, ...] = ()  # broken files whose last good version stays in the index
    skipped: tuple[str, ...] = ()  # broken files with no good version to keep

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
    """The live generation, or ``None`` when no index has been built yet.

    Raises ``IndexDamaged`` (one line naming what is wrong, and ``advisor index`` as the fix)
    if a file is missing, of the wrong size, unreadable or inconsistent with the others.
    """
    generation = index_store.current_generation(index_dir)
    if generation is None:
        return None
    manifest = index_store.read_manifest(generation)
    if manifest["format"] < index_store.FORMAT_VERSION:
        return None  # written by an older version: the next build replaces it whole
    dimension, files = manifest.get("dimension"), manifest.get("files")
    if not isinstance(dimension, int) or dimension <= 0 or not isinstance(files, dict):
        raise IndexDamaged(index_dir, "manifest.json is incomplete")
    index_store.check_generation(generation, manifest, checksums=False)
    chunks, documents, vectors, bm25, units, offsets, headings, vocabulary = (
        index_store.read_generation(generation, dimension=dimension)
    )
    return LoadedIndex(
        manifest, chunks, documents, vectors, bm25, units, offsets, headings, vocabulary
    )


def indexed_paths(manifest: dict[str, Any] | None) -> dict[str, str]:
    """doc id -> file, for every document an index with ``manifest`` holds."""
    if not manifest:
        return {}
    files = manifest.get("files")
    if not isinstance(files, dict):
        return {}
    return {
        str(info["doc_id"]): path
        for path, info in files.items()
        if isinstance(info, dict)
        and info.get("doc_id")
        and info.get("status") not in ("skipped", "hidden")
    }


def is_current(
    manifest: dict[str, Any] | None,
    *,
    model: str,
    file_hashes: dict[str, str],
    max_chars: int = DEFAULT_MAX_CHARS,
    embedder: Embedder | None = None,
) -> bool:
    """Whether an index with ``manifest`` already matches the model, the files and the way
    this version chunks and splits text (the one freshness rule, read from the manifest).

    ``file_hashes`` is every playbook file on disk (``Corpus.hashes``), broken ones included.
    With ``embedder``, its vectors must also match the builder's (``same_vectors``).
    """
    return (
        manifest is not None
        and manifest.get("format") == index_store.FORMAT_VERSION
        and manifest.get("model") == model
        and manifest.get("chunking") == _chunking(max_chars)
        and manifest.get("units") == _units_version()
        and manifest.get("tokenizer") == TOKENIZER_VERSION
        and manifest.get("records", 1) == RECORDS_VERSION
        and (
            embedder is None or same_vectors(manifest.get("embedder"), embedder_identity(embedder))
        )
        and {path: f["hash"] for path, f in manifest.get("files", {}).items()} == file_hashes
    )


def build_index(
    corpus: Corpus,
    embedder: Embedder,
    index_dir: Path,
    *,
    rebuild: bool = False,
    progress: bool = False,
    max_chars: int = DEFAULT_MAX_CHARS,
    loaded: LoadedIndex | None = None,
) -> tuple[LoadedIndex, BuildReport]:
    """Bring the index in ``index_dir`` up to date with ``corpus``; returns it and a report
    (``written`` False when it already was: the one place that decides, with ``is_current``).

    ``loaded`` is the live generation when the caller already holds it (not read again).
    """
    started = time.perf_counter()
    with index_store.build_lock(index_dir):
        previous = None if rebuild else _reusable(index_dir, embedder, loaded)
        old_hashes = previous.file_hashes() if previous else {}
        new_hashes = dict(corpus.hashes)
        if previous is not None and is_current(
            previous.manifest, model=embedder.name, file_hashes=new_hashes, max_chars=max_chars
        ):
            return previous, BuildReport(
                unchanged=len(new_hashes),
                chunks_total=len(previous.chunks),
                kept=_with_status(previous.manifest, "kept"),
                skipped=_with_status(previous.manifest, "skipped"),
            )
        kept = _last_good_versions(corpus, previous or _salvaged(index_dir))
        shown = [doc for doc in corpus.documents if not doc.hidden]  # drafts stay out
        chunks = [c for doc in shown for c in chunk_document(doc, max_chars=max_chars)]
        chunks += [chunk for version in kept for chunk in version.chunks]
        vectors, unit_vectors, unit_offsets, embedded = _vectors_for(
            chunks, previous, embedder, progress
        )
        heading_vectors = _heading_vectors(chunks, previous, embedder)
        vocabulary = count_words(c.index_text for c in chunks)
        manifest = {
            "model": embedder.name,
            "dimension": embedder.dimension,
            "embedder": embedder_identity(embedder),  # see retrieval.embeddings.same_vectors
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "chunking": _chunking(max_chars),
            "units": _units_version(),
            "tokenizer": TOKENIZER_VERSION,
            "records": RECORDS_VERSION,
            "chunk_count": len(chunks),
            "files": _file_records(corpus, kept),
        }
        documents = {doc.id: document_record(doc) for doc in shown}
        documents.update({version.doc_id: version.record for version in kept})
        bm25 = _bm25_for(chunks, previous)
        generation = index_store.write_generation(
            index_dir,
            manifest=manifest,
            chunks=chunks,
            documents=documents,
            vectors=vectors,
            bm25=bm25,
            unit_vectors=unit_vectors,
            unit_offsets=unit_offsets,
            heading_vectors=heading_vectors,
            vocabulary=vocabulary,
        )
    loaded = LoadedIndex(
        index_store.read_manifest(generation),
        chunks,
        documents,
        read_flat(generation / "vectors.faiss"),
        bm25,
        unit_vectors,
        unit_offsets,
        heading_vectors,
        vocabulary,
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
        kept=tuple(version.path for version in kept),
        skipped=_with_status(manifest, "skipped"),
    )
    return loaded, report


@dataclass(frozen=True)
class _LastGood:
    """A broken file's last good version, carried over from the previous generation."""

    path: str
    doc_id: str
    indexed_hash: str
    record: dict[str, Any]
    chunks: list[Chunk]


@dataclass(frozen=True)
class _Text:
    """The text side of a previous generation: enough to carry a document over."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    documents: dict[str, dict[str, Any]]

    @property
    def by_doc(self) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for position, chunk in enumerate(self.chunks):
            positions.setdefault(chunk.doc_id, []).append(position)
        return positions


def _salvaged(index_dir: Path) -> _Text | None:
    """A damaged or replaced index's trustworthy text (``index_store.salvage_text``)."""
    found = index_store.salvage_text(index_dir)
    return None if found is None else _Text(*found)


def _last_good_versions(corpus: Corpus, previous: LoadedIndex | _Text | None) -> list[_LastGood]:
    """For each file on disk that failed to load, the version the previous index holds, if
    any and if no loaded document has taken its id since. A rebuild takes it from the old
    generation's text when that still checks out, and re-embeds it."""
    if previous is None:
        return []
    loaded_paths = {doc.path for doc in corpus.documents}
    loaded_ids = {doc.id for doc in corpus.documents}
    files = previous.manifest.get("files", {})
    by_doc = previous.by_doc
    kept = []
    for path in sorted(set(corpus.hashes) - loaded_paths):
        info = files.get(path)
        if not isinstance(info, dict) or info.get("status") == "skipped":
            continue
        doc_id = info.get("doc_id")
        if doc_id in loaded_ids or doc_id not in previous.documents:
            continue
        positions = by_doc.get(doc_id, [])
        kept.append(
            _LastGood(
                path=path,
                doc_id=doc_id,
                indexed_hash=str(info.get("indexed_hash", info["hash"])),
                record=previous.documents[doc_id],
                chunks=[previous.chunks[p] for p in positions],
            )
        )
    return kept


def _file_records(corpus: Corpus, kept: list[_LastGood]) -> dict[str, dict[str, Any]]:
    """Every file on disk: its hash now, and what the index holds of it."""
    records: dict[str, dict[str, Any]] = {
        path: {"hash": digest, "doc_id": None, "status": "skipped"}
        for path, digest in corpus.hashes.items()
    }
    for doc in corpus.documents:
        records[doc.path] = {
            "hash": doc.content_hash,
            "doc_id": doc.id,
            "status": "hidden" if doc.hidden else "indexed",
            "indexed_hash": doc.content_hash,
        }
    for version in kept:
        records[version.path] = {
            "hash": corpus.hashes[version.path],
            "doc_id": version.doc_id,
            "status": "kept",
            "indexed_hash": version.indexed_hash,
        }
    return dict(sorted(records.items()))


def _with_status(manifest: dict[str, Any], status: str) -> tuple[str, ...]:
    files = manifest.get("files", {})
    return tuple(
        sorted(p for p, f in files.items() if isinstance(f, dict) and f.get("status") == status)
    )


def document_record(doc: Document) -> dict[str, Any]:
    """What citations and filters need of a document, persisted with the index."""
    return {
        "title": doc.title,
        "kind": doc.kind,
        "path": doc.path,
        "tags": list(doc.tags),
        "city": doc.city,
        "summary": doc.summary,
        "sources": list(doc.sources),
        "updated": doc.updated.isoformat() if doc.updated else None,
        "boost": doc.boost,
        "stakeholders": list(doc.stakeholders),
    }


def _chunking(max_chars: int) -> dict[str, int]:
    return {"version": CHUNKING_VERSION, "max_chars": max_chars}


def _units_version() -> dict[str, int]:
    return {"version": UNITS_VERSION}


def _reusable(
    index_dir: Path, embedder: Embedder, loaded: LoadedIndex | None = None
) -> LoadedIndex | None:
    """The previous generation (``loaded``, or read from ``index_dir``) if its vectors can be
    reused with ``embedder``."""
    # a damaged or newer index raises: --rebuild replaces it
    previous = loaded if loaded is not None else load_index(index_dir)
    if previous is None:
        return None
    same_model = previous.model == embedder.name
    if not same_model or int(previous.manifest["dimension"]) != embedder.dimension:
        return None
    if not same_vectors(previous.manifest.get("embedder"), embedder_identity(embedder)):
        return None  # other weights or precision: every vector is re-embedded
    return previous


def _vectors_for(
    chunks: list[Chunk], previous: LoadedIndex | None, embedder: Embedder, progress: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Chunk vectors, unit vectors (float16) and unit offsets; reuses unchanged chunks'."""
    dim = embedder.dimension
    vectors = np.zeros((len(chunks), dim), dtype=np.float32)
    per_chunk: list[np.ndarray | None] = [None] * len(chunks)
    old_positions: dict[str, int] = {}
    old_vectors = np.zeros((0, dim), dtype=np.float32)
    reuse_units = previous is not None and previous.manifest.get("units") == _units_version()
    if previous is not None and previous.vectors.ntotal and reuse_units:
        old_positions = {c.id: i for i, c in enumerate(previous.chunks)}
        old_vectors = previous.vectors.reconstruct_n(0, previous.vectors.ntotal)
    missing = []
    for position, chunk in enumerate(chunks):
        old = old_positions.get(chunk.id)
        if old is None or previous is None:
            missing.append(position)
        else:
            vectors[position] = old_vectors[old]
            start, end = int(previous.unit_offsets[old]), int(previous.unit_offsets[old + 1])
            per_chunk[position] = np.asarray(previous.unit_vectors[start:end])
    if missing:
        texts = [chunks[p].index_text for p in missing]
        spans = [_unit_spans(chunks[p]) for p in missing]
        fresh, fresh_units = embedder.embed_spans(texts, spans, progress=progress)
        vectors[missing] = fresh
        for position, unit_vectors in zip(missing, fresh_units, strict=True):
            per_chunk[position] = unit_vectors
    counts = [len(v) if v is not None else 0 for v in per_chunk]
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    stacked = [v for v in per_chunk if v is not None and len(v)]
    units = (
        np.concatenate(stacked).astype(np.float16)
        if stacked
        else np.zeros((0, dim), dtype=np.float16)
    )
    return vectors, units, offsets, len(missing)


def _bm25_for(chunks: list[Chunk], previous: LoadedIndex | None) -> BM25Index:
    """BM25 over ``chunks``; a chunk the previous generation holds (same id: same document,
    title, headings and text) has its term counts read from that generation's postings, so
    an edit tokenizes only the chunks it changed. The arrays are ``BM25Index.build``'s."""
    texts = [c.index_text for c in chunks]
    if previous is None or previous.manifest.get("tokenizer") != TOKENIZER_VERSION:
        return BM25Index.build(texts)
    old_positions = {c.id: i for i, c in enumerate(previous.chunks)}
    reuse = [old_positions.get(c.id, -1) for c in chunks]
    return BM25Index.updated(texts, reuse, previous.bm25)


def _heading_vectors(
    chunks: list[Chunk], previous: LoadedIndex | None, embedder: Embedder
) -> np.ndarray:
    """Each chunk's "Title › Section" embedded on its own (one short text per heading path),
    so a question can be matched to the section that answers it."""
    known: dict[str, np.ndarray] = {}
    if previous is not None and previous.manifest.get("units") == _units_version():
        for position, chunk in enumerate(previous.chunks):
            known.setdefault(chunk.label, np.asarray(previous.heading_vectors[position]))
    missing = sorted({c.label for c in chunks} - set(known))
    if missing:
        known.update(zip(missing, embedder.embed(missing), strict=True))
    out = np.zeros((len(chunks), embedder.dimension), dtype=np.float16)
    for position, chunk in enumerate(chunks):
        out[position] = known[chunk.label]
    return out


def _unit_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """Unit spans in ``chunk.index_text`` (the label line comes first)."""
    shift = len(chunk.index_text) - len(chunk.text)
    return [(u.start + shift, u.end + shift) for u in answer_units(chunk.text)]
