"""The chunk vectors: a faiss ``IndexFlatIP`` (exact inner product over unit vectors).

``vectors.faiss`` is written and read by faiss itself. Before faiss reads a file,
``read_flat`` checks its header against its size, so a truncated file or one with a stray
tail is refused as damage (``ValueError``) instead of half-read. faiss is imported when an
index is read or written, never by merely importing the CLI (``bot.cli.main``).

A search runs on one OpenMP thread: one query scans the vectors sequentially anyway, and
faiss's idle OpenMP threads spin against the answer workers and the embedder, doubling the
CPU a search costs on a busy machine for the same wall time (BENCHMARKS.md, issue 15).
Questions run in parallel in the answer workers instead.

Rows of the answer-unit and heading vectors are read from disk on demand (``NpyRows``).
"""

from __future__ import annotations

import contextlib
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

_MAGIC = b"IxFI"  # faiss's fourcc for IndexFlatIP
_HEADER = struct.Struct("<4siqqqBiQ")  # fourcc, d, ntotal, 2 unused, is_trained, metric, size
_INNER_PRODUCT = 0
_SEARCH_THREADS = 1


def _faiss() -> Any:
    """faiss, set to search on ``_SEARCH_THREADS`` OpenMP threads."""
    import faiss

    if faiss.omp_get_max_threads() != _SEARCH_THREADS:
        faiss.omp_set_num_threads(_SEARCH_THREADS)
    return faiss


class FlatVectors:
    """The chunk vectors in a faiss ``IndexFlatIP``; searches are thread-safe (faiss)."""

    def __init__(self, index: Any) -> None:
        self._index = index

    @classmethod
    def of(cls, vectors: np.ndarray) -> FlatVectors:
        """A new index over ``vectors`` ``(n, d)``."""
        faiss = _faiss()
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError("vectors must be a 2-D array")
        index = faiss.IndexFlatIP(matrix.shape[1])
        if len(matrix):
            index.add(matrix)
        return cls(index)

    @property
    def d(self) -> int:
        return int(self._index.d)

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    def reconstruct(self, position: int) -> np.ndarray:
        return np.asarray(self._index.reconstruct(int(position)))

    def reconstruct_n(self, start: int, count: int) -> np.ndarray:
        if count <= 0:
            return np.zeros((0, self.d), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(int(start), int(count)))

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best positions (among ``allowed``, if given) and their scores, best
        first (faiss's ``search`` for one query, without its ``-1`` padding)."""
        faiss = _faiss()
        limit = self.ntotal if allowed is None else len(allowed)
        k = min(k, limit)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        params = None
        if allowed is not None:
            # A bitmap selector: built in well under a millisecond and O(1) per vector, where
            # an ``IDSelectorBatch`` hashes every allowed id first (~20 ms at 100k chunks).
            # faiss's Python wrapper keeps the bitmap and the selector alive as keywords; its
            # type stubs only know the bare SWIG constructors.
            member = np.zeros(self.ntotal, dtype=bool)
            member[np.asarray(allowed, dtype=np.int64)] = True
            bitmap = np.packbits(member, bitorder="little")
            selector = faiss.IDSelectorBitmap(bitmap)  # type: ignore[call-arg]
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        row = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(row, k, params=params)
        found = ids[0] >= 0
        return scores[0][found], ids[0][found].astype(np.int64)

    def write(self, path: Path) -> None:
        _faiss().write_index(self._index, str(path))


def write_flat(path: Path, vectors: np.ndarray) -> None:
    """``vectors`` ``(n, d)`` as a faiss ``IndexFlatIP`` file."""
    FlatVectors.of(vectors).write(path)


def read_flat(path: Path) -> FlatVectors:
    """The faiss ``IndexFlatIP`` in ``path``; ``ValueError`` if the file is not one, or its
    size disagrees with its header (the caller checks the dimension)."""
    faiss = _faiss()
    with path.open("rb") as handle:
        header = handle.read(_HEADER.size)
    if len(header) != _HEADER.size:
        raise ValueError("vectors file too short")
    magic, d, ntotal, _, _, _, metric, size = _HEADER.unpack(header)
    if magic != _MAGIC or metric != _INNER_PRODUCT:
        raise ValueError("not a flat inner-product index")
    if d <= 0 or ntotal < 0 or size != ntotal * d:
        raise ValueError("vectors file header disagrees with the index")
    if path.stat().st_size != _HEADER.size + 4 * size:
        raise ValueError("vectors file size disagrees with its header")
    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:
        raise ValueError(f"faiss cannot read the vectors file: {exc}") from exc
    return FlatVectors(index)


class NpyRows:
    """The rows of a 2-D ``.npy`` file, read from disk when asked for (``os.pread``), never
    mapped: the answer-unit and heading vectors of a large index (~850 MB at 100k chunks)
    are read a few rows per question, and pages a question touched do not stay in the
    process's resident memory as a memory map's do (BENCHMARKS.md, issue 15)."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as handle:
            version = np.lib.format.read_magic(handle)
            read = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read(handle)
            offset = handle.tell()
        if fortran or len(shape) != 2 or dtype.hasobject:
            raise ValueError("not a 2-D C-ordered array of numbers")
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))
        self.dtype = np.dtype(dtype)
        self._row_bytes = self.shape[1] * self.dtype.itemsize
        if path.stat().st_size != offset + self.shape[0] * self._row_bytes:
            raise ValueError("file size disagrees with its header")
        self._offset = offset
        self._fd = os.open(path, os.O_RDONLY)  # kept: a later build may delete the file

    @property
    def ndim(self) -> int:
        return 2

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key: int | slice) -> np.ndarray:
        if isinstance(key, slice):
            start, stop, step = key.indices(self.shape[0])
            if step != 1:
                raise IndexError("rows are read as one contiguous range")
            return self._rows(start, max(stop - start, 0))
        row = int(key) + (self.shape[0] if int(key) < 0 else 0)
        if not 0 <= row < self.shape[0]:
            raise IndexError(f"row {key} out of range")
        return self._rows(row, 1)[0]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        rows = self._rows(0, self.shape[0])
        return rows if dtype is None else rows.astype(dtype)

    def _rows(self, start: int, count: int) -> np.ndarray:
        size = count * self._row_bytes
        data = os.pread(self._fd, size, self._offset + start * self._row_bytes) if size else b""
        if len(data) != size:
            raise OSError("short read from an index file")
        return np.frombuffer(data, dtype=self.dtype).reshape(count, self.shape[1])

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            os.close(self._fd)
