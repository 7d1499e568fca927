"""Issue 11, items 4 and 5, through the `advisor` CLI in-process (a fake embedder injected
through ``CliContext``): a damaged index is named in one line and `advisor index` repairs
it; a broken playbook keeps its last good version and fails the run; duplicate ids, oversized
files and impossible dates are named with file and line, and never stop the other files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli.context import CliContext
from bot.cli.main import app
from bot.settings import Settings
from retrieval import index_store
from retrieval.index import load_index
from tests.fakes.corpus import PLAYBOOK_FRONT, write_doc
from tests.fakes.embedder import HashEmbedder

runner = CliRunner()


@pytest.fixture
def index_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, corpus_dir: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(corpus_dir))
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ADVISOR_EMBEDDING_MODEL", "fake-model")
    assert advisor("index").exit_code == 0
    return tmp_path / "index"


def fake_embedder(settings: Settings) -> HashEmbedder:
    return HashEmbedder(name=settings.embedding_model)


def advisor(*args: str) -> Result:
    return runner.invoke(app, list(args), obj=CliContext(embedder=fake_embedder))


def error_lines(result: Result) -> list[str]:
    assert "Traceback" not in result.output
    return [line for line in result.stderr.splitlines() if line.strip()]


def live(index_dir: Path) -> Path:
    generation = index_store.current_generation(index_dir)
    assert generation is not None
    return generation


def doc_paths(index_dir: Path) -> dict[str, str]:
    loaded = load_index(index_dir)
    assert loaded is not None
    return {doc_id: record["path"] for doc_id, record in loaded.documents.items()}


# --- item 4: an index the CLI can repair ----------------------------------------------------


def test_ask_on_a_truncated_index_says_what_is_wrong_and_index_repairs_it(
    index_dir: Path,
) -> None:
    vectors = live(index_dir) / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    result = advisor("ask", "How long should footage be kept?")
    assert result.exit_code == 1
    (line,) = error_lines(result)
    assert "vectors.faiss is 100 bytes" in line
    assert line.endswith("run `advisor index` to repair it")

    result = advisor("index")
    assert result.exit_code == 0, result.output
    assert "damaged (vectors.faiss is 100 bytes" in result.stderr
    assert "index rebuilt" in result.stdout
    result = advisor("ask", "How long should footage be kept?", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["citations"]


def test_index_does_not_call_an_altered_index_up_to_date(index_dir: Path) -> None:
    chunks = live(index_dir) / "chunks.jsonl"
    text = chunks.read_text(encoding="utf-8")
    chunks.write_text(text.replace("30 days", "99 days"), encoding="utf-8")  # same size
    result = advisor("index")
    assert result.exit_code == 0, result.output
    assert "chunks.jsonl does not match its checksum" in result.stderr
    assert "up to date" not in result.stdout
    assert "99 days" not in (live(index_dir) / "chunks.jsonl").read_text(encoding="utf-8")
    assert "index up to date" in advisor("index").stdout


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_current_pointer_to_a_missing_generation_is_repaired(
    index_dir: Path, rebuild: bool
) -> None:
    (index_dir / index_store.CURRENT).write_text("gen-19700101T000000-gone\n")
    assert "is not there" in error_lines(advisor("ask", "footage?"))[0]
    result = advisor("index", *(["--rebuild"] if rebuild else []))
    assert result.exit_code == 0, result.output
    assert load_index(index_dir) is not None


def test_a_non_utf8_manifest_is_repaired_by_index(index_dir: Path) -> None:
    (live(index_dir) / "manifest.json").write_bytes(b"\xff\xfe\x00")
    (line,) = error_lines(advisor("ask", "footage?"))
    assert "manifest.json is unreadable" in line
    assert advisor("index").exit_code == 0
    assert advisor("ask", "How long should footage be kept?").exit_code == 0


# --- item 5: bad playbook content ----------------------------------------------------------


def test_a_broken_edit_keeps_the_last_good_version_and_fails_the_run(
    index_dir: Path, corpus_dir: Path
) -> None:
    before = load_index(index_dir)
    assert before is not None
    charter = corpus_dir / "guides" / "charter.md"
    good = charter.read_text(encoding="utf-8")
    charter.write_text(good.replace("kind: playbook", "kind: [playbook"), encoding="utf-8")
    (corpus_dir / "guides" / "new.md").write_text(
        "---\n" + PLAYBOOK_FRONT.format(title="New guide", tags="privacy") + "---\nFresh.\n"
    )

    result = advisor("index")
    assert result.exit_code == 1
    lines = error_lines(result)
    assert any(
        line.startswith("guides/charter.md:4: error: front matter is not valid YAML")
        and line.endswith("[the last good version stays in the index]")
        for line in lines
    ), lines
    assert "1 playbook file(s) have errors" in lines[-1]
    after = load_index(index_dir)
    assert after is not None
    assert doc_paths(index_dir)["guides-charter"] == "guides/charter.md"
    assert doc_paths(index_dir)["guides-new"] == "guides/new.md"  # the others go in
    old_charter = [c.text for c in before.chunks if c.doc_id == "guides-charter"]
    assert [c.text for c in after.chunks if c.doc_id == "guides-charter"] == old_charter
    assert after.manifest["files"]["guides/charter.md"]["status"] == "kept"

    again = advisor("index")  # nothing changed: no rebuild, still failing for content CI
    assert again.exit_code == 1
    assert "index up to date" in again.stdout
    assert "the last good version stays in the index" in again.stderr

    charter.write_text(good.replace("monthly meeting", "weekly meeting"), encoding="utf-8")
    fixed = advisor("index")
    assert fixed.exit_code == 0, fixed.output
    loaded = load_index(index_dir)
    assert loaded is not None
    assert loaded.manifest["files"]["guides/charter.md"]["status"] == "indexed"


def test_ask_still_answers_from_the_last_good_version(index_dir: Path, corpus_dir: Path) -> None:
    retention = corpus_dir / "guides" / "retention.md"
    retention.write_text(retention.read_text().replace("updated: 2026-01-01", "updated: [x"))
    result = advisor("ask", "How long should camera footage be kept by default?", "--json")
    assert result.exit_code == 0, result.output
    cited = {c["doc_id"] for c in json.loads(result.stdout)["citations"]}
    assert "footage-retention" in cited


def test_a_duplicate_id_names_both_files_and_the_indexed_one_stays(
    index_dir: Path, corpus_dir: Path
) -> None:
    write_doc(
        corpus_dir,
        "guides/a-huge.md",  # sorts before guides/retention.md
        "id: footage-retention\n" + PLAYBOOK_FRONT.format(title="Huge", tags="privacy"),
        "Something else entirely.\n",
    )
    result = advisor("index")
    assert result.exit_code == 1
    assert (
        "guides/a-huge.md:2: error: duplicate id 'footage-retention': "
        "guides/retention.md has it, and keeps it"
    ) in result.stderr
    assert doc_paths(index_dir)["footage-retention"] == "guides/retention.md"


def test_a_file_over_the_size_limit_is_refused_with_the_limit(
    index_dir: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVISOR_MAX_PLAYBOOK_BYTES", "5000")
    write_doc(
        corpus_dir,
        "guides/huge.md",
        PLAYBOOK_FRONT.format(title="Huge", tags="privacy"),
        "Words and more words. " * 1000,
    )
    for command in (("index",), ("playbooks", "validate")):
        result = advisor(*command)
        assert result.exit_code == 1
        output = result.stdout + result.stderr
        assert "guides/huge.md:1: error: file is 22," in output
        assert "over the limit of 5,000" in output
    assert "guides-huge" not in doc_paths(index_dir)
    assert "footage-retention" in doc_paths(index_dir)


def test_an_impossible_date_is_a_line_not_a_traceback(index_dir: Path, corpus_dir: Path) -> None:
    write_doc(
        corpus_dir,
        "guides/feb.md",
        "title: February\nkind: playbook\nupdated: 2026-02-31\n",
        "A body.\n",
    )
    result = advisor("playbooks", "validate", str(corpus_dir))
    assert result.exit_code == 1
    assert "guides/feb.md:4: error: 'updated' is not a date: '2026-02-31'" in result.stdout
    assert "Traceback" not in result.output
    indexed = advisor("index")
    assert indexed.exit_code == 1
    assert "guides/feb.md:4:" in indexed.stderr
    assert set(doc_paths(index_dir)) == {
        "footage-retention",
        "guides-charter",
        "case-notes-seattle",
    }


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"tags:\n  privacy: x\n  bad\x00: y\n", 3, "file contains a NUL byte"),
        (b"tags:\n  - a\n\xff\xfe\n", 3, "file is not UTF-8 text"),
        (b"tags: [unclosed\n", 2, "not valid YAML"),
        (b"- just a list\n", 1, "no 'tags:' list or mapping"),
    ],
)
def test_a_broken_tag_vocabulary_is_named_with_its_line(
    index_dir: Path, corpus_dir: Path, content: bytes, line: int, message: str
) -> None:
    (corpus_dir / "tags.yaml").write_bytes(content)
    result = advisor("playbooks", "validate", str(corpus_dir))
    assert result.exit_code == 1
    assert f"tags.yaml:{line}: error: {message}" in result.stdout
    assert "Traceback" not in result.output


def test_index_is_rebuilt_when_the_configured_embedder_would_not_give_the_same_vectors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, corpus_dir: Path
) -> None:
    """The "up to date" check reads the manifest's embedder identity too (issue 15): an
    index is kept across backends of the same weights and rebuilt for other weights or
    another precision, without the model being loaded to decide."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(corpus_dir))
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ADVISOR_EMBEDDING_MODEL", "fake-model")
    made: list[HashEmbedder] = []

    def run(backend: str, model_hash: str, precision: str) -> Result:
        def factory(settings: Settings) -> HashEmbedder:
            embedder = HashEmbedder(name=settings.embedding_model)
            embedder.identity = {  # type: ignore[attr-defined]
                "backend": backend,
                "model_hash": model_hash,
                "precision": precision,
            }
            made.append(embedder)
            return embedder

        made.clear()
        return runner.invoke(app, ["index"], obj=CliContext(embedder=factory))

    def embedded() -> int:
        return sum(len(e.embedded) for e in made)

    assert "index rebuilt" in run("torch", "a", "float32").stdout and embedded() > 0
    chunks = len(load_index(tmp_path / "index").chunks)  # type: ignore[union-attr]

    result = run("onnx", "a", "float32")  # the same weights in ONNX Runtime: same vectors
    assert "index up to date" in result.stdout and embedded() == 0

    for model_hash, precision in (("a", "int8"), ("b", "int8")):
        result = run("onnx", model_hash, precision)
        assert result.exit_code == 0, result.output
        assert "index rebuilt" in result.stdout and f"{chunks} chunks embedded" in result.stdout
        manifest = load_index(tmp_path / "index").manifest  # type: ignore[union-attr]
        assert manifest["embedder"] == {
            "backend": "onnx",
            "model_hash": model_hash,
            "precision": precision,
        }
        assert "index up to date" in run("onnx", model_hash, precision).stdout
