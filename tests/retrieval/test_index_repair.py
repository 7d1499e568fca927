"""Issue 11, item 4: a damaged index is named in one line, and a build repairs it from any
state. Every file of a generation has a recorded size and checksum."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np
import pytest

from retrieval import index_store
from retrieval.documents import load_corpus
from retrieval.engine import Advisor
from retrieval.errors import IndexDamaged
from retrieval.index import build_index, load_index
from tests.fakes.embedder import HashEmbedder


@pytest.fixture
def built(corpus_dir: Path, tmp_path: Path, embedder: HashEmbedder) -> Path:
    index_dir = tmp_path / "idx"
    build_index(load_corpus(corpus_dir), embedder, index_dir)
    return index_dir


def live(index_dir: Path) -> Path:
    generation = index_store.current_generation(index_dir)
    assert generation is not None
    return generation


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def wrong_dimension(path: Path) -> None:
    flat = faiss.IndexFlatIP(32)
    flat.add(np.ones((faiss.read_index(str(path)).ntotal, 32), dtype=np.float32))
    faiss.write_index(flat, str(path))


def same_size_other_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def test_the_manifest_records_size_and_checksum_of_every_file(built: Path) -> None:
    generation = live(built)
    manifest = index_store.read_manifest(generation)
    assert set(manifest["artifacts"]) == set(index_store.ARTIFACTS)
    for name, recorded in manifest["artifacts"].items():
        assert recorded["bytes"] == (generation / name).stat().st_size
        assert len(recorded["sha256"]) == 64
    assert index_store.verify_generation(generation, manifest, checksums=True) == []


DAMAGE: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "missing vectors": ("vectors.faiss", Path.unlink, "vectors.faiss is missing"),
    "truncated chunks": ("chunks.jsonl", truncate, "chunks.jsonl is"),
    "truncated bm25": ("bm25.npz", truncate, "bm25.npz is"),
    "missing documents": ("documents.json", Path.unlink, "documents.json is missing"),
    "wrong dimension": ("vectors.faiss", wrong_dimension, "vectors.faiss"),
    "non-UTF-8 manifest": (
        "manifest.json",
        lambda p: p.write_bytes(b"\xff\xfe{not json"),
        "manifest.json is unreadable",
    ),
    "manifest not an object": ("manifest.json", lambda p: p.write_text("[1]"), "not an object"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_loading_a_damaged_index_names_the_file_and_the_fix(built: Path, case: str) -> None:
    name, damage, expected = DAMAGE[case]
    damage(live(built) / name)
    with pytest.raises(IndexDamaged) as caught:
        load_index(built)
    message = str(caught.value)
    assert expected in message
    assert message.endswith("run `advisor index` to repair it")
    assert "\n" not in message


def test_a_changed_byte_of_the_same_size_is_caught_by_the_checksum(built: Path) -> None:
    generation = live(built)
    same_size_other_bytes(generation / "headings.npy")
    manifest = index_store.read_manifest(generation)
    assert index_store.verify_generation(generation, manifest) == []  # sizes agree
    assert index_store.verify_generation(generation, manifest, checksums=True) == [
        "headings.npy does not match its checksum"
    ]


@pytest.mark.parametrize(
    "state",
    ["current names a missing generation", "current is garbage", "current is a folder"],
)
def test_a_broken_current_pointer_is_damage(built: Path, state: str) -> None:
    pointer = built / index_store.CURRENT
    if state == "current names a missing generation":
        shutil.rmtree(live(built))
    elif state == "current is garbage":
        pointer.write_bytes(b"\xff\x00\x01")
    else:
        pointer.unlink()
        pointer.mkdir()
    with pytest.raises(IndexDamaged, match="run `advisor index` to repair it"):
        load_index(built)


WHOLE_FOLDER_DAMAGE: dict[str, Callable[[Path], None]] = {
    "every file truncated": lambda d: [truncate(p) for p in live(d).iterdir()],
    "current names a missing generation": lambda d: shutil.rmtree(live(d)),
    "current is a folder": lambda d: (
        (d / index_store.CURRENT).unlink(),
        (d / index_store.CURRENT).mkdir(),
    ),
    "lock is a folder, stray files named like generations": lambda d: (
        (d / index_store.LOCK).unlink(),
        (d / index_store.LOCK / "x").mkdir(parents=True),
        (d / "gen-stray").write_text("not a folder"),
        (d / ".tmp-gen-crashed").mkdir(),
        (d / ".CURRENT.dead").write_text("gen-x"),
    ),
    "non-UTF-8 manifest": lambda d: (live(d) / "manifest.json").write_bytes(b"\xff"),
}


@pytest.mark.parametrize("state", sorted(WHOLE_FOLDER_DAMAGE))
def test_a_rebuild_recovers_from_any_state_of_the_folder(
    built: Path, corpus_dir: Path, embedder: HashEmbedder, state: str
) -> None:
    expected = [c.id for c in load_index(built).chunks]  # type: ignore[union-attr]
    WHOLE_FOLDER_DAMAGE[state](built)
    _, report = build_index(load_corpus(corpus_dir), embedder, built, rebuild=True)
    assert report.written and report.full_rebuild
    loaded = load_index(built)
    assert loaded is not None
    assert [c.id for c in loaded.chunks] == expected
    assert sorted(p.name for p in built.iterdir()) == sorted(
        [index_store.CURRENT, index_store.LOCK, live(built).name]
    )
    advisor = Advisor(loaded, embedder)
    assert advisor.ask("How long should footage be kept?").citations


def test_an_older_index_without_checksums_is_replaced_not_called_damaged(
    built: Path, corpus_dir: Path, embedder: HashEmbedder
) -> None:
    manifest_path = live(built) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format"] = 3
    del manifest["artifacts"]
    manifest_path.write_text(json.dumps(manifest))
    assert load_index(built) is None  # an old format: the next build replaces it whole
    _, report = build_index(load_corpus(corpus_dir), embedder, built)
    assert report.written and report.full_rebuild
    assert load_index(built) is not None


def test_a_rebuild_keeps_a_broken_files_last_good_text_from_a_damaged_index(
    built: Path, corpus_dir: Path, embedder: HashEmbedder
) -> None:
    truncate(live(built) / "vectors.faiss")  # vectors gone bad; the chunks' text checks out
    charter = corpus_dir / "guides" / "charter.md"
    charter.write_text(charter.read_text().replace("kind: playbook", "kind: memo"))
    _, report = build_index(load_corpus(corpus_dir), embedder, built, rebuild=True)
    assert report.kept == ("guides/charter.md",)
    loaded = load_index(built)
    assert loaded is not None
    assert loaded.documents["guides-charter"]["title"] == "Working group charter"
    assert any("RACI" in c.text for c in loaded.chunks if c.doc_id == "guides-charter")


def test_nothing_is_salvaged_when_the_text_itself_is_damaged(
    built: Path, corpus_dir: Path, embedder: HashEmbedder
) -> None:
    truncate(live(built) / "chunks.jsonl")
    charter = corpus_dir / "guides" / "charter.md"
    charter.write_text(charter.read_text().replace("kind: playbook", "kind: memo"))
    _, report = build_index(load_corpus(corpus_dir), embedder, built, rebuild=True)
    assert report.kept == ()
    assert report.skipped == ("guides/charter.md",)
