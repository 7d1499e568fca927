"""The persisted index: incremental, atomic, model-aware, and never re-embedding on load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval import index_store
from retrieval.bm25 import BM25Index
from retrieval.documents import load_corpus
from retrieval.errors import IndexError_
from retrieval.index import build_index, load_index
from tests.fakes.corpus import write_doc
from tests.fakes.embedder import HashEmbedder


def build(corpus_dir: Path, index_dir: Path, embedder: HashEmbedder, **kwargs: object):
    return build_index(load_corpus(corpus_dir), embedder, index_dir, **kwargs)  # type: ignore[arg-type]


def test_first_build_embeds_everything_and_persists(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    index, report = build(corpus_dir, tmp_path / "idx", embedder)
    assert report.written and report.full_rebuild
    assert report.chunks_embedded == report.chunks_total == len(index.chunks) > 0
    loaded = load_index(tmp_path / "idx")
    assert loaded is not None
    assert [c.id for c in loaded.chunks] == [c.id for c in index.chunks]
    assert loaded.vectors.ntotal == len(index.chunks)
    manifest = loaded.manifest
    assert manifest["model"] == embedder.name and manifest["dimension"] == embedder.dimension
    assert set(manifest["files"]) == {
        "guides/retention.md",
        "guides/charter.md",
        "case-notes/seattle.md",
    }


def test_unchanged_corpus_writes_nothing(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    build(corpus_dir, tmp_path / "idx", embedder)
    embedder.embedded.clear()
    _, report = build(corpus_dir, tmp_path / "idx", embedder)
    assert not report.written
    assert embedder.embedded == []


def test_editing_one_file_re_embeds_only_its_changed_chunks(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    index, _ = build(corpus_dir, tmp_path / "idx", embedder)
    path = corpus_dir / "guides" / "charter.md"
    path.write_text(path.read_text().replace("monthly meeting", "fortnightly meeting"))
    embedder.embedded.clear()
    new_index, report = build(corpus_dir, tmp_path / "idx", embedder)
    assert report.changed == ("guides/charter.md",)
    assert report.chunks_embedded == 1 == len(embedder.embedded)
    assert "fortnightly" in embedder.embedded[0]
    assert report.chunks_reused == len(new_index.chunks) - 1
    old_vectors = {c.id: index.vectors.reconstruct(i) for i, c in enumerate(index.chunks)}
    for i, chunk in enumerate(new_index.chunks):
        if chunk.id in old_vectors:
            assert (new_index.vectors.reconstruct(i) == old_vectors[chunk.id]).all()


def _same_bm25(a: BM25Index, b: BM25Index) -> None:
    assert list(a.vocabulary.items()) == list(b.vocabulary.items())
    for name in ("indptr", "postings", "frequencies", "lengths"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


def test_an_edit_updates_bm25_to_the_arrays_a_full_build_makes(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    """After an edit, unchanged chunks' term counts come from the previous postings (only
    the edited file is tokenized), and BM25 is exactly what tokenizing everything gives."""
    build(corpus_dir, tmp_path / "idx", embedder)
    path = corpus_dir / "guides" / "charter.md"
    path.write_text(path.read_text().replace("monthly meeting", "fortnightly zyxwvut meeting"))
    (corpus_dir / "case-notes" / "seattle.md").unlink()
    index, report = build(corpus_dir, tmp_path / "idx", embedder)
    assert report.changed == ("guides/charter.md",) and report.removed
    assert "zyxwvut" in index.bm25.vocabulary
    _same_bm25(index.bm25, BM25Index.build([c.index_text for c in index.chunks]))
    loaded = load_index(tmp_path / "idx")
    assert loaded is not None
    _same_bm25(loaded.bm25, index.bm25)


def test_bm25_update_tokenizes_new_and_repeated_texts_and_reads_the_rest() -> None:
    old = ["camera footage retention days", "working group charter", "drones over parks"]
    previous = BM25Index.build(old)
    texts = ["working group charter", "new text about sensors", old[0], old[0], "drones"]
    reuse = [1, -1, 0, 0, -1]  # old[0] twice: the second copy is tokenized
    _same_bm25(BM25Index.updated(texts, reuse, previous), BM25Index.build(texts))
    with pytest.raises(ValueError, match="one reuse position per text"):
        BM25Index.updated(texts, reuse[:2], previous)


def test_deleted_file_drops_out(corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder) -> None:
    build(corpus_dir, tmp_path / "idx", embedder)
    (corpus_dir / "case-notes" / "seattle.md").unlink()
    index, report = build(corpus_dir, tmp_path / "idx", embedder)
    assert report.removed == ("case-notes/seattle.md",)
    assert all(c.doc_id != "case-notes-seattle" for c in index.chunks)
    assert "case-notes-seattle" not in index.documents


def test_model_change_forces_full_rebuild(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    build(corpus_dir, tmp_path / "idx", embedder)
    other = HashEmbedder(dimension=32, name="other-model")
    index, report = build(corpus_dir, tmp_path / "idx", other)
    assert report.full_rebuild
    assert report.chunks_embedded == len(index.chunks)
    assert index.manifest["model"] == "other-model"


def test_asking_with_another_model_is_a_clear_error(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    index, _ = build(corpus_dir, tmp_path / "idx", embedder)
    with pytest.raises(IndexError_, match="built with model 'fake-hash-64'"):
        index.check_model(HashEmbedder(name="other-model"))


def test_crash_mid_build_leaves_previous_index_usable(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    index_dir = tmp_path / "idx"
    before, _ = build(corpus_dir, index_dir, embedder)
    write_doc(
        corpus_dir,
        "guides/new.md",
        "title: New\nkind: playbook\n",
        "## A\n\nOne.\n\n## B\n\nTwo.\n",
    )
    crashing = HashEmbedder()
    crashing.fail_after = 1
    with pytest.raises(RuntimeError, match="simulated crash"):
        build(corpus_dir, index_dir, crashing, rebuild=True)
    after = load_index(index_dir)
    assert after is not None
    assert [c.id for c in after.chunks] == [c.id for c in before.chunks]
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".tmp")]


def test_crash_before_pointer_swap_keeps_old_generation(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "idx"
    before, _ = build(corpus_dir, index_dir, embedder)
    (corpus_dir / "case-notes" / "seattle.md").unlink()

    def power_cut(*args: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr("retrieval.index_store.os.replace", power_cut)
    with pytest.raises(OSError, match="power cut"):
        build(corpus_dir, index_dir, embedder)
    monkeypatch.undo()
    after = load_index(index_dir)
    assert after is not None and len(after.chunks) == len(before.chunks)


def test_loading_never_embeds(corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder) -> None:
    build(corpus_dir, tmp_path / "idx", embedder)
    embedder.embedded.clear()
    assert load_index(tmp_path / "idx") is not None
    assert embedder.embedded == []


def _set_format(index_dir: Path, version: int) -> Path:
    """Rewrite the live generation's manifest to claim ``version``; returns the generation."""
    generation = index_dir / (index_dir / "CURRENT").read_text().strip()
    manifest = json.loads((generation / "manifest.json").read_text())
    manifest["format"] = version
    (generation / "manifest.json").write_text(json.dumps(manifest))
    return generation


def test_newer_format_is_refused_and_not_overwritten(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    index_dir = tmp_path / "idx"
    build(corpus_dir, index_dir, embedder)
    generation = _set_format(index_dir, 99)
    with pytest.raises(IndexError_, match="format 99, newer"):
        load_index(index_dir)
    with pytest.raises(IndexError_, match="format 99"):
        build(corpus_dir, index_dir, embedder)
    assert json.loads((generation / "manifest.json").read_text())["format"] == 99
    _index, report = build(corpus_dir, index_dir, embedder, rebuild=True)
    assert report.full_rebuild and load_index(index_dir) is not None


def test_no_index_yet_loads_as_none(tmp_path: Path) -> None:
    assert load_index(tmp_path / "missing") is None


def test_every_answer_unit_has_a_stored_vector_and_unchanged_chunks_keep_theirs(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    index, _ = build(corpus_dir, tmp_path / "idx", embedder)
    loaded = load_index(tmp_path / "idx")
    assert loaded is not None
    assert loaded.unit_offsets[-1] == len(loaded.unit_vectors) > len(loaded.chunks)
    for position, chunk in enumerate(loaded.chunks):
        units, vectors = loaded.units(position)
        assert len(units) == len(vectors)
        for unit, vector in zip(units, vectors, strict=True):
            # The fake embeds a span as the words of its slice of the chunk's text.
            expected = embedder._vector(chunk.text[unit.start : unit.end])
            assert np.allclose(vector, expected, atol=2e-3)  # stored as float16
    path = corpus_dir / "guides" / "charter.md"
    path.write_text(path.read_text().replace("monthly meeting", "fortnightly meeting"))
    rebuilt, report = build(corpus_dir, tmp_path / "idx", embedder)
    assert report.chunks_embedded == 1
    before = {c.id: index.units(i)[1] for i, c in enumerate(index.chunks)}
    for position, chunk in enumerate(rebuilt.chunks):
        if chunk.id in before:
            assert np.array_equal(rebuilt.units(position)[1], before[chunk.id])


def test_an_index_written_by_an_older_version_is_rebuilt_whole(
    corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder
) -> None:
    index_dir = tmp_path / "idx"
    build(corpus_dir, index_dir, embedder)
    generation = _set_format(index_dir, 1)  # before unit vectors
    (generation / "units.npy").unlink()
    assert load_index(index_dir) is None  # not an error: the next build replaces it
    embedder.embedded.clear()
    _index, report = build(corpus_dir, index_dir, embedder)
    assert report.full_rebuild and report.chunks_embedded == report.chunks_total
    reloaded = load_index(index_dir)
    assert reloaded is not None and reloaded.manifest["format"] == index_store.FORMAT_VERSION
