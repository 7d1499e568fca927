"""The chunk vectors in faiss (``retrieval.flat``): written and read back exactly, searched
as a brute-force inner product would, damaged files refused; and ``NpyRows``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.flat import FlatVectors, NpyRows, read_flat, write_flat


def _unit_rows(count: int, dimension: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, dimension)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _written(tmp_path: Path, vectors: np.ndarray) -> Path:
    path = tmp_path / "vectors.faiss"
    write_flat(path, vectors)
    return path


def test_vectors_are_read_back_exactly(tmp_path: Path) -> None:
    vectors = _unit_rows(300, 48, seed=1)
    flat = read_flat(_written(tmp_path, vectors))
    assert (flat.ntotal, flat.d) == (300, 48)
    assert np.array_equal(flat.reconstruct_n(0, 300), vectors)
    assert np.array_equal(flat.reconstruct(7), vectors[7])
    empty = read_flat(_written(tmp_path, np.zeros((0, 16), dtype=np.float32)))
    assert (empty.ntotal, empty.d) == (0, 16)
    assert empty.reconstruct_n(0, 0).shape == (0, 16)
    assert len(empty.search(vectors[0, :16], 5)[1]) == 0


def test_search_finds_the_best_inner_products_with_and_without_a_filter(tmp_path: Path) -> None:
    vectors = _unit_rows(2000, 32, seed=2)
    flat = read_flat(_written(tmp_path, vectors))
    allowed = np.flatnonzero(np.random.default_rng(3).random(2000) < 0.3)
    for query in _unit_rows(20, 32, seed=4):
        brute = vectors @ query
        scores, ids = flat.search(query, 50)
        assert ids.tolist() == np.argsort(-brute, kind="stable")[:50].tolist()
        assert np.allclose(scores, brute[ids], atol=1e-5)
        assert list(scores) == sorted(scores, reverse=True)
        scores, ids = flat.search(query, 50, allowed=allowed)
        best_allowed = allowed[np.argsort(-brute[allowed], kind="stable")[:50]]
        assert ids.tolist() == best_allowed.tolist()
    few = np.array([5, 9])
    assert sorted(flat.search(vectors[9], 50, allowed=few)[1].tolist()) == [5, 9]
    assert len(flat.search(vectors[9], 50, allowed=np.array([], dtype=np.int64))[1]) == 0


def test_an_index_over_vectors_in_memory_searches_like_one_from_disk(tmp_path: Path) -> None:
    vectors = _unit_rows(100, 8, seed=8)
    in_memory = FlatVectors.of(vectors)
    from_disk = read_flat(_written(tmp_path, vectors))
    query = vectors[3]
    assert in_memory.search(query, 5)[1].tolist() == from_disk.search(query, 5)[1].tolist()
    assert in_memory.search(query, 1)[1].tolist() == [3]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-4],  # a vector cut short
        lambda data: data + b"\0\0\0\0",  # a stray tail
        lambda data: b"IxF2" + data[4:],  # a flat L2 index, not inner product
        lambda data: data[:20],  # header cut
    ],
)
def test_a_file_that_is_not_a_whole_flat_ip_index_is_refused(
    tmp_path: Path, damage: object
) -> None:
    path = _written(tmp_path, _unit_rows(10, 8, seed=5))
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(ValueError):
        read_flat(path)


def test_npy_rows_are_read_from_disk_as_numpy_saved_them(tmp_path: Path) -> None:
    rows = _unit_rows(40, 12, seed=7).astype(np.float16)
    path = tmp_path / "units.npy"
    np.save(path, rows)
    read = NpyRows(path)
    assert (read.shape, read.ndim, len(read), read.dtype) == ((40, 12), 2, 40, np.float16)
    assert np.array_equal(read[3], rows[3]) and np.array_equal(read[-1], rows[-1])
    assert np.array_equal(read[5:9], rows[5:9]) and read[7:7].shape == (0, 12)
    assert np.array_equal(np.asarray(read, dtype=np.float32), rows.astype(np.float32))
    with pytest.raises(IndexError):
        read[40]
    path.write_bytes(path.read_bytes()[:-2])  # cut short: refused, not read as garbage
    with pytest.raises(ValueError):
        NpyRows(path)


def test_searches_run_on_one_openmp_thread(tmp_path: Path) -> None:
    import faiss

    faiss.omp_set_num_threads(2)
    read_flat(_written(tmp_path, _unit_rows(4, 8, seed=9))).search(_unit_rows(1, 8, 9)[0], 2)
    assert faiss.omp_get_max_threads() == 1
