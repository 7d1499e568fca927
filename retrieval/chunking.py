"""Heading-aware chunking of a document body.

Rules: a chunk never spans two headings (``##`` or deeper), so every chunk carries one heading
path for its citation; long sections split at block boundaries (paragraphs, whole lists,
whole tables, whole code fences) with the previous block's last sentence as overlap. A block
stays whole up to ``OVERSIZE_FACTOR`` times the chunk size (a long table or list reads best
in one piece); past that (a pasted log, a 10,000-row table) it is cut at list items, table
rows (each piece repeats the header), code lines or sentences, and a run-on line at spaces. Chunk
ids hash the document id, heading path and text, so they are stable across rebuilds while
the text is unchanged.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from retrieval.models import Chunk, Document

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# A sentence ends at . ! or ? (a closing ** or __ after it is consumed with the space).
SENTENCE_END = re.compile(r"(?<=[.!?])(?:\*\*|__)?\s+(?=[A-Z0-9\"'(\[*_])")
DEFAULT_MAX_CHARS = 1200
OVERSIZE_FACTOR = 4


@dataclass
class _Block:
    text: str
    line: int  # 1-based line in the file


@dataclass
class _Section:
    headings: tuple[str, ...]
    blocks: list[_Block]


def chunk_document(doc: Document, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Split ``doc`` into chunks (see module docstring for the rules)."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in _sections(doc):
        for text, line in _pack(section.blocks, max_chars):
            chunk_id = _chunk_id(doc, section.headings, text)
            count = seen.get(chunk_id, 0)
            seen[chunk_id] = count + 1
            if count:
                chunk_id = f"{chunk_id}-{count}"
            chunks.append(
                Chunk(
                    id=chunk_id,
                    doc_id=doc.id,
                    doc_title=doc.title,
                    kind=doc.kind,
                    headings=section.headings,
                    text=text,
                    start_line=line,
                    tags=doc.tags,
                    city=doc.city,
                )
            )
    return chunks


def _chunk_id(doc: Document, headings: tuple[str, ...], text: str) -> str:
    key = "\x1f".join((doc.id, doc.title, *headings, text))
    return f"{doc.id}#{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}"


def _sections(doc: Document) -> list[_Section]:
    sections: list[_Section] = [_Section((), [])]
    path: list[tuple[int, str]] = []
    for block in _blocks(doc.body, doc.body_start_line):
        match = HEADING.match(block.text) if "\n" not in block.text else None
        if match:
            level = len(match.group(1))
            if level == 1:  # a stray H1 repeats the title; it is not a section
                continue
            path = [(lvl, title) for lvl, title in path if lvl < level]
            path.append((level, match.group(2).strip()))
            sections.append(_Section(tuple(title for _, title in path), []))
        else:
            sections[-1].blocks.append(block)
    return [s for s in sections if s.blocks]


def _blocks(body: str, first_line: int) -> list[_Block]:
    """Paragraphs, whole lists, whole tables and whole code fences; headings stand alone."""
    blocks: list[_Block] = []
    current: list[str] = []
    start = first_line
    in_fence = False

    def flush() -> None:
        if current and any(line.strip() for line in current):
            blocks.append(_Block("\n".join(current).strip("\n"), start))
        current.clear()

    lines = body.splitlines()
    for offset, raw in enumerate(lines):
        line_no = first_line + offset
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            if not in_fence:
                flush()
                start = line_no
            in_fence = not in_fence
            current.append(raw)
            continue
        if in_fence:
            current.append(raw)
            continue
        if HEADING.match(stripped):
            flush()
            blocks.append(_Block(stripped, line_no))
            continue
        if not stripped:
            if current and _is_list(current) and _next_is_list(lines, offset):
                continue  # a loose list stays one block
            flush()
            continue
        if not current:
            start = line_no
        current.append(raw)
    flush()
    return blocks


def _is_list(lines: list[str]) -> bool:
    return bool(LIST_ITEM.match(lines[0]))


def _next_is_list(lines: list[str], offset: int) -> bool:
    for index in range(offset + 1, len(lines)):
        raw = lines[index]
        if raw.strip():
            return bool(LIST_ITEM.match(raw)) or raw.startswith(("  ", "\t"))
    return False


def _cut_oversize(block: _Block, max_chars: int) -> list[_Block]:
    """``block`` whole, or cut into pieces of at most ``max_chars`` (see the module doc)."""
    if len(block.text) <= OVERSIZE_FACTOR * max_chars:
        return [block]
    lines = block.text.split("\n")
    header: list[str] = []
    joiner = "\n"
    if lines[0].lstrip().startswith("|") and len(lines) > 2:  # a table: rows, header kept
        header, units = lines[:2], [(line, i) for i, line in enumerate(lines[2:], 2)]
    elif _is_list(lines) or lines[0].lstrip().startswith(("```", "~~~")):
        units = _items(lines) if _is_list(lines) else [(line, i) for i, line in enumerate(lines)]
    else:  # prose: sentences, run together again
        units, joiner = [(sentence, 0) for sentence in split_sentences(block.text)], " "
    budget = max(max_chars - sum(len(h) + 1 for h in header), max_chars // 2)
    pieces: list[_Block] = []
    current: list[str] = []
    size, first = 0, 0
    for text, offset in ((t, o) for unit, o in units for t in _at_spaces(unit, budget)):
        if current and size + len(text) + 1 > budget:
            pieces.append(_Block(joiner.join(header + current), block.line + first))
            current, size = [], 0
        if not current:
            first = offset
        current.append(text)
        size += len(text) + 1
    if current:
        pieces.append(_Block(joiner.join(header + current), block.line + first))
    return pieces


def _items(lines: list[str]) -> list[tuple[str, int]]:
    """List items with their continuation lines, and each item's line offset."""
    items: list[tuple[str, int]] = []
    for offset, line in enumerate(lines):
        if items and not LIST_ITEM.match(line):
            text, start = items[-1]
            items[-1] = (f"{text}\n{line}", start)
        else:
            items.append((line, offset))
    return items


def _at_spaces(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at spaces where there are any."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def _pack(blocks: list[_Block], max_chars: int) -> list[tuple[str, int]]:
    """Group blocks into chunks of at most ``max_chars`` (one oversize block stays whole)."""
    out: list[tuple[str, int]] = []
    group: list[_Block] = []
    size = 0
    for block in (piece for whole in blocks for piece in _cut_oversize(whole, max_chars)):
        if group and size + len(block.text) + 2 > max_chars:
            out.append(("\n\n".join(b.text for b in group), group[0].line))
            overlap = _last_sentence(group[-1].text)
            group = [_Block(overlap, group[-1].line)] if overlap else []
            size = len(overlap)
        group.append(block)
        size += len(block.text) + 2
    if group:
        out.append(("\n\n".join(b.text for b in group), group[0].line))
    return out


def _last_sentence(text: str) -> str:
    """The last sentence of a prose paragraph (lists, tables and code give no overlap)."""
    if LIST_ITEM.match(text) or text.lstrip().startswith(("|", "```", "~~~")):
        return ""
    sentences = split_sentences(text)
    last = sentences[-1] if sentences else ""
    return last if len(last) <= 300 else ""


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences; list items count as sentences of their own."""
    sentences: list[str] = []
    for line_block in re.split(r"\n(?=\s*(?:[-*+]|\d+[.)])\s)", text):
        cleaned = LIST_ITEM.sub("", line_block.strip(), count=1)
        cleaned = re.sub(r"\s*\n\s*", " ", cleaned).strip()
        if cleaned:
            sentences.extend(s.strip() for s in SENTENCE_END.split(cleaned) if s.strip())
    return sentences
