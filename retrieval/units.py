"""Answer units: the sentences, list items and table rows an answer can quote.

A chunk's text splits into units that each read well on their own:
- prose splits into sentences;
- a list item is one unit per sentence; a leading bold label ("**Inventory.** Ask every
  department…") is folded into the next sentence ("Inventory: Ask every department…") instead
  of standing alone as a fragment;
- a table row becomes one line, "Isolate devices from the network — IT / security office:
  Leads; Vendor: Supports; …", so a table can answer a question;
- a list whose items are phrases, not sentences ("a chatbot for maternity clinic services;"),
  under a sentence that introduces it ("The register's first entries were:"), also becomes one
  line: "The register's first entries were: a parking chatbot; a chatbot for maternity clinic
  services; …." Its items alone are debris; read together with their lead-in they state
  what the list holds.

Each unit keeps its character span in the chunk text (for the sentence vectors pooled from the
chunk's token embeddings at index time, see ``retrieval.index``), the block it came from and
its place there (so a sentence that leans on the one before can be shown with it).
Splitting is deterministic: index time and answer time see the same units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from retrieval.chunking import LIST_ITEM, SENTENCE_END

UnitKind = Literal["sentence", "item", "row", "list"]
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_BOLD_LABEL = re.compile(r"^(?:\*\*|__)([^*_\n]{2,80}?)[.:](?:\*\*|__)\s*")
_BOLD_LABEL_COLON_OUTSIDE = re.compile(r"^(?:\*\*|__)([^*_\n]{2,80}?)(?:\*\*|__)[.:]\s*")


@dataclass(frozen=True)
class Unit:
    text: str  # cleaned, readable text
    start: int  # span in the chunk text (raw markdown)
    end: int
    kind: UnitKind
    block: int  # index of the paragraph, list or table in the chunk
    position: int  # place within the block (0 = first)


def clean_inline(text: str) -> str:
    """Markdown links to their label, emphasis markers removed, whitespace folded."""
    text = _MD_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def answer_units(text: str) -> list[Unit]:
    """Split a chunk's text into units (see the module docstring)."""
    units: list[Unit] = []
    for block_number, (start, block) in enumerate(_blocks(text)):
        if block.lstrip().startswith("|"):
            units.extend(_table_rows(block, start, block_number))
        elif block.lstrip().startswith(("```", "~~~")):
            continue  # code is never quoted as prose
        elif LIST_ITEM.match(block):
            items = _list_items(block, start)
            position = 0
            for item_start, item in items:
                for unit in _sentences(item, item_start, "item", block_number, position):
                    units.append(unit)
                    position += 1
            lead = units[-1 - position] if len(units) > position else None
            if lead is not None and lead.block != block_number - 1:
                lead = None  # only the paragraph right above introduces the list
            whole = _phrase_list(lead, items, block_number, position, start + len(block))
            if whole is not None:
                units.append(whole)
        else:
            units.extend(_sentences(block, start, "sentence", block_number, 0))
    return units


LIST_UNIT_MAX_CHARS = 450  # a longer list is not one readable line (and junk would say so)
_ITEM_END = re.compile(r"(?:\s*[;,.]\s*(?:and|or)?|\s+(?:and|or))\s*$")


def _is_phrase(item: str) -> bool:
    """A list item that is a phrase continuing its lead-in, not a sentence of its own."""
    stripped = item.strip()
    return bool(stripped) and (
        stripped[0].islower()
        or stripped.endswith((";", ","))
        or re.search(r"[;,]\s*(?:and|or)$", stripped) is not None
        or not stripped.endswith((".", "!", "?", ")", '"', "”"))  # a label: "Data openness"
    )


def _phrase_list(
    lead: Unit | None,
    items: list[tuple[int, str]],
    block: int,
    position: int,
    end: int,
) -> Unit | None:
    """The list as one line under its lead-in sentence, when its items are phrases."""
    if lead is None or lead.kind != "sentence" or not lead.text.endswith(":") or len(items) < 2:
        return None
    phrases = [clean_inline(item) for _, item in items]
    if sum(_is_phrase(p) for p in phrases) * 2 < len(phrases):
        return None  # mostly whole sentences: they stand as units of their own
    joined = "; ".join(_ITEM_END.sub("", p) for p in phrases if p)
    text = f"{lead.text} {joined}."
    if len(text) > LIST_UNIT_MAX_CHARS:
        return None
    return Unit(text, lead.start, end, "list", block, position)


def _blocks(text: str) -> list[tuple[int, str]]:
    """Blank-line separated blocks with their start offsets."""
    out = []
    for match in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text):
        block = match.group(0)
        if block.strip():
            lead = len(block) - len(block.lstrip())
            out.append((match.start() + lead, block.strip()))
    return out


def _list_items(block: str, offset: int) -> list[tuple[int, str]]:
    """Each top-level list item (with its continuation lines) and its start offset."""
    starts = [m.start() for m in re.finditer(r"(?m)^\s*(?:[-*+]|\d+[.)])\s+", block)]
    items = []
    for i, begin in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(block)
        raw = block[begin:end]
        marker = LIST_ITEM.match(raw)
        skip = marker.end() if marker else 0
        items.append((offset + begin + skip, raw[skip:].rstrip()))
    return items


def _sentences(
    text: str, offset: int, kind: UnitKind, block: int, first_position: int
) -> list[Unit]:
    label = ""
    body_start = 0
    found = _BOLD_LABEL.match(text) or _BOLD_LABEL_COLON_OUTSIDE.match(text)
    if found and text[found.end() :].strip():
        label = clean_inline(found.group(1))
        body_start = found.end()
    pieces: list[tuple[int, int]] = []
    cursor = body_start
    for match in SENTENCE_END.finditer(text, body_start):
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, len(text)))
    units: list[Unit] = []
    for number, (begin, end) in enumerate(pieces):
        raw = text[begin:end]
        cleaned = clean_inline(raw)
        if not cleaned:
            continue
        if number == 0 and label:
            cleaned = f"{label}: {cleaned}"
            begin = 0
        units.append(
            Unit(
                cleaned,
                offset + begin,
                offset + end,
                kind,
                block,
                first_position + len(units),
            )
        )
    return units


def _table_rows(block: str, offset: int, block_number: int) -> list[Unit]:
    lines = []
    for match in re.finditer(r"[^\n]+", block):
        if match.group(0).strip().startswith("|"):
            lines.append((match.start(), match.group(0)))
    if len(lines) < 3 or not re.fullmatch(r"[\s|:\-]+", lines[1][1]):
        return []  # not a header + separator + rows table
    header = _cells(lines[0][1])
    units = []
    for position, (start, line) in enumerate(lines[2:]):
        cells = _cells(line)
        if not cells or not cells[0]:
            continue
        parts = [
            f"{name}: {value}"
            for name, value in zip(header[1:], cells[1:], strict=False)
            if name and value
        ]
        text = f"{cells[0]} — {'; '.join(parts)}." if parts else f"{cells[0]}."
        units.append(
            Unit(text, offset + start, offset + start + len(line), "row", block_number, position)
        )
    return units


def _cells(line: str) -> list[str]:
    return [clean_inline(cell) for cell in line.strip().strip("|").split("|")]
