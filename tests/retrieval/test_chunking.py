"""Heading-aware chunking: sections never mix, paths are carried, ids are stable."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

from retrieval.chunking import chunk_document, split_sentences
from retrieval.documents import load_corpus
from retrieval.models import Document


def doc(body: str, title: str = "Doc") -> Document:
    return Document(
        id="d",
        title=title,
        kind="playbook",
        path="d.md",
        body=body,
        body_start_line=5,
        content_hash="h",
    )


def test_chunks_never_span_sections_and_carry_heading_paths(corpus_dir: Path) -> None:
    retention = load_corpus(corpus_dir).by_id()["footage-retention"]
    chunks = chunk_document(retention)
    labels = [c.label for c in chunks]
    assert labels == [
        "Camera footage retention",
        "Camera footage retention › Why this fight happens",
        "Camera footage retention › Setting the default",
        "Camera footage retention › Setting the default › Evidence holds",
        "Camera footage retention › Actions",
        "Camera footage retention › Related",
    ]
    assert all("##" not in c.text for c in chunks)
    assert chunks[2].index_text.startswith("Camera footage retention › Setting the default\n")


def test_start_lines_point_into_the_file(corpus_dir: Path) -> None:
    retention = load_corpus(corpus_dir).by_id()["footage-retention"]
    lines = (corpus_dir / "guides" / "retention.md").read_text().splitlines()
    for chunk in chunk_document(retention):
        assert lines[chunk.start_line - 1].strip() == chunk.text.splitlines()[0].strip()


def test_lists_and_tables_stay_whole() -> None:  # up to OVERSIZE_FACTOR chunks long
    items = "\n".join(f"- item number {i} with some words" for i in range(20))
    table = "\n".join(["| a | b |", "|---|---|"] + [f"| {i} | {i} |" for i in range(30)])
    assert 200 < len(table) < len(items) <= 4 * 200
    chunks = chunk_document(doc(f"## S\n\n{items}\n\n{table}\n"), max_chars=200)
    assert [c.text for c in chunks] == [items, table]


def test_long_section_splits_at_paragraphs_with_overlap() -> None:
    paragraphs = [f"Paragraph {i} opens here. It closes with sentence {i}." for i in range(12)]
    chunks = chunk_document(doc("## Long\n\n" + "\n\n".join(paragraphs)), max_chars=200)
    assert len(chunks) > 1
    assert all(c.headings == ("Long",) for c in chunks)
    for first, second in itertools.pairwise(chunks):
        last_sentence = split_sentences(first.text)[-1]
        assert second.text.startswith(last_sentence)
    text = "\n".join(c.text for c in chunks)
    assert all(p in text for p in paragraphs)


def test_ids_are_stable_and_change_with_text() -> None:
    body = "Intro.\n\n## A\n\nAlpha text.\n\n## B\n\nBeta text.\n"
    first = chunk_document(doc(body))
    again = chunk_document(doc(body))
    assert [c.id for c in first] == [c.id for c in again]
    edited = chunk_document(doc(body.replace("Beta", "Gamma")))
    assert first[0].id == edited[0].id and first[1].id == edited[1].id
    assert first[2].id != edited[2].id
    retitled = chunk_document(replace(doc(body), title="Other"))
    assert first[1].id != retitled[1].id


def test_code_fence_with_hashes_is_not_a_heading() -> None:
    body = "## Real\n\n```\n## not a heading\n```\n"
    (chunk,) = chunk_document(doc(body))
    assert chunk.headings == ("Real",)
    assert "## not a heading" in chunk.text


def test_bold_lead_in_labels_split_off_as_their_own_sentence() -> None:
    text = "- **Criminal evidence.** Footage used in a case follows evidence rules. It lasts."
    assert split_sentences(text) == [
        "**Criminal evidence.",
        "Footage used in a case follows evidence rules.",
        "It lasts.",
    ]


# --- oversize blocks (issue 11, item 5: a huge paste must not become one giant chunk) ------


def words(text: str) -> list[str]:
    return [w for w in text.replace("|", " ").split() if w not in ("-", "---")]


def test_a_block_up_to_four_chunks_long_stays_whole() -> None:
    table = "| Role | Decides |\n|---|---|\n" + "".join(f"| r{n} | s{n} |\n" for n in range(250))
    assert 1200 < len(table) <= 4 * 1200
    (chunk,) = chunk_document(doc(table))
    assert chunk.text == table.strip()


def test_a_huge_table_is_cut_at_rows_and_every_piece_keeps_the_header() -> None:
    rows = [f"| role {n} | decides item {n} |" for n in range(2000)]
    table = "| Role | Decides |\n|---|---|\n" + "\n".join(rows)
    chunks = chunk_document(doc(table))
    assert len(chunks) > 10
    for chunk in chunks:
        assert len(chunk.text) <= 1200
        assert chunk.text.startswith("| Role | Decides |\n|---|---|\n| role ")
    body_rows = [line for c in chunks for line in c.text.splitlines()[2:]]
    assert body_rows == rows  # every row once, in order
    assert [c.start_line for c in chunks] == sorted(c.start_line for c in chunks)


def test_a_huge_list_is_cut_between_items() -> None:
    items = [f"- step {n}: ask the records manager\n  and note it" for n in range(600)]
    chunks = chunk_document(doc("\n".join(items)))
    assert len(chunks) > 5
    assert all(len(c.text) <= 1200 for c in chunks)
    assert all(c.text.startswith("- step ") for c in chunks)
    assert sum(c.text.count("- step ") for c in chunks) == 600


def test_a_huge_paragraph_and_a_run_on_line_are_cut_and_lose_no_words() -> None:
    prose = " ".join(f"Sentence number {n} says something useful." for n in range(1500))
    run_on = "word " * 50_000
    for text in (prose, run_on.strip(), "x" * 30_000):
        chunks = chunk_document(doc(text))
        assert len(chunks) > 5
        assert all(len(c.text) <= 1200 + 300 for c in chunks)  # + one sentence of overlap
        if text.startswith("Sentence"):
            joined = " ".join(c.text for c in chunks)
            assert all(f"Sentence number {n} says" in joined for n in (0, 777, 1499))
        else:
            assert sum(len(c.text.replace(" ", "")) for c in chunks) >= len(text.replace(" ", ""))
