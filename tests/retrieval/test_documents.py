"""Loading playbooks: good files load, every broken file is named with its line and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.documents import load_corpus, slug_for
from retrieval.errors import CorpusError
from tests.fakes.corpus import write_doc


def test_loads_every_markdown_file_recursively(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    assert sorted(d.id for d in corpus.documents) == [
        "case-notes-seattle",
        "footage-retention",
        "guides-charter",
    ]
    assert corpus.problems == []
    seattle = corpus.by_id()["case-notes-seattle"]
    assert seattle.kind == "case-note"
    assert seattle.city == "Seattle, WA, USA"
    assert seattle.sources == ("https://www.seattle.gov/tech",)
    assert seattle.body_start_line == 11


def test_readme_and_underscore_files_are_not_content(corpus_dir: Path) -> None:
    (corpus_dir / "README.md").write_text("# Guide\n", encoding="utf-8")
    write_doc(corpus_dir, "_drafts/wip.md", "title: WIP\nkind: playbook\n", "text\n")
    assert len(load_corpus(corpus_dir).documents) == 3


def test_default_id_is_path_slug() -> None:
    assert slug_for("guides/Camera Retention.md") == "guides-camera-retention"


def test_broken_file_is_reported_and_others_still_load(corpus_dir: Path) -> None:
    write_doc(corpus_dir, "guides/broken.md", "title: [unclosed\nkind: playbook\n", "body\n")
    corpus = load_corpus(corpus_dir)
    assert len(corpus.documents) == 3
    (problem,) = corpus.errors
    assert problem.path == "guides/broken.md"
    assert problem.line == 3  # the line after the bad one, where YAML notices
    assert "not valid YAML" in problem.message
    assert problem.fix


def test_non_utf8_file_names_its_line(corpus_dir: Path) -> None:
    (corpus_dir / "guides" / "latin1.md").write_bytes(
        b"---\ntitle: Caf\xe9\nkind: playbook\n---\nbody\n"
    )
    (problem,) = load_corpus(corpus_dir).errors
    assert (problem.path, problem.line) == ("guides/latin1.md", 2)
    assert "UTF-8" in problem.message


def test_front_matter_that_is_not_a_mapping(corpus_dir: Path) -> None:
    write_doc(corpus_dir, "guides/list.md", "- just\n- a list\n", "body\n")
    (problem,) = load_corpus(corpus_dir).errors
    assert "must be a mapping" in problem.message


def test_missing_front_matter(corpus_dir: Path) -> None:
    (corpus_dir / "guides" / "plain.md").write_text("Just text\n", encoding="utf-8")
    (problem,) = load_corpus(corpus_dir).errors
    assert (problem.line, problem.message) == (1, "no front matter")


def test_wrong_types_fail_and_unknown_keys_warn(corpus_dir: Path) -> None:
    write_doc(
        corpus_dir,
        "guides/types.md",
        "title: Types\nkind: playbook\ntags: 7\nupdated: last week\ncolour: blue\n",
        "body\n",
    )
    corpus = load_corpus(corpus_dir)
    problems = {p.message: p for p in corpus.problems if p.path == "guides/types.md"}
    assert problems["'tags' must be a list of strings"].line == 4
    assert problems["'updated' is not a date: 'last week'"].line == 5
    assert problems["unknown key 'colour'"].severity == "warning"
    assert "guides-types" not in corpus.by_id()


def test_missing_title_and_bad_kind(corpus_dir: Path) -> None:
    write_doc(corpus_dir, "guides/notitle.md", "kind: guide\n", "body\n")
    messages = [p.message for p in load_corpus(corpus_dir).errors]
    assert "missing 'title'" in messages
    assert any(m.startswith("kind must be") for m in messages)


def test_duplicate_ids_keep_the_first(corpus_dir: Path) -> None:
    write_doc(
        corpus_dir,
        "guides/z-copy.md",
        "id: footage-retention\ntitle: Copy\nkind: playbook\n",
        "x\n",
    )
    corpus = load_corpus(corpus_dir)
    (problem,) = corpus.errors
    assert "duplicate id 'footage-retention'" in problem.message
    assert corpus.by_id()["footage-retention"].title == "Camera footage retention"


def test_missing_and_empty_dirs(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nope")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_corpus(empty).documents == []


def test_libyaml_reads_every_shipped_front_matter_as_the_python_parser_does() -> None:
    """The front matter is parsed by libyaml when PyYAML has it (issue 15: every `advisor
    index` parses every file); values, key lines and refusals are the pure-Python loader's."""
    import yaml

    from retrieval import frontmatter
    from retrieval.documents import content_files

    python_loader, c_loader = frontmatter._loaders()
    assert c_loader is not None  # the wheel ships libyaml: the fast path is tested
    playbooks = Path(__file__).resolve().parents[2] / "playbooks"
    files = content_files(playbooks)
    assert len(files) > 40
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        raw = "".join(lines[1:end])
        node, values = frontmatter._parse(raw)
        python_node = yaml.compose(raw, Loader=python_loader)
        assert values == yaml.load(raw, Loader=python_loader), path
        assert isinstance(node, yaml.MappingNode) and isinstance(python_node, yaml.MappingNode)
        assert [(k.value, k.start_mark.line) for k, _ in node.value] == [
            (k.value, k.start_mark.line) for k, _ in python_node.value
        ], path
    assert frontmatter._parse("updated: 2026-02-31\n")[1] == {"updated": "2026-02-31"}
    with pytest.raises(yaml.YAMLError, match="mapping values are not allowed here"):
        frontmatter._parse("title: a: b\n")  # PyYAML's words (libyaml says "in this context")
    with pytest.raises(RecursionError):
        frontmatter._parse("tags: " + "[" * 5000 + "]" * 5000)  # libyaml stops at depth 1000
