"""Block helpers and Slack's size limits.

Limits (Slack's documented maximums): a section's text ≤ 3,000 characters, a message
≤ 50 blocks, a message's text ≤ 40,000 characters. Long text becomes several sections;
many blocks become several messages. Nothing here raises on long input.
"""

from __future__ import annotations

import json
from typing import Any

Block = dict[str, Any]
SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000
BLOCKS_PER_MESSAGE = 50
MESSAGE_CHARS = 40_000
BUTTON_TEXT_LIMIT = 75
FALLBACK_LIMIT = 3000


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def sections(text: str, *, limit: int = SECTION_LIMIT) -> list[Block]:
    """One or more section blocks holding ``text``, each within ``limit`` characters."""
    return [{"type": "section", "text": mrkdwn(piece)} for piece in split_text(text, limit)]


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(truncate(text, CONTEXT_LIMIT))]}


def divider() -> Block:
    return {"type": "divider"}


def button(label: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(truncate(label, BUTTON_TEXT_LIMIT)),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(elements: list[Block], *, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": elements[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, never inside an ``&…;`` entity."""
    if len(text) <= limit:
        return text
    return _safe_cut(text, limit - 1).rstrip() + "…"


def split_text(text: str, limit: int) -> list[str]:
    """Split at line breaks, then spaces, then anywhere, never inside an escape entity."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = len(_safe_cut(rest, limit))
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return [piece for piece in pieces if piece] or [" "]


def _safe_cut(text: str, limit: int) -> str:
    """The longest prefix within ``limit`` that does not end inside ``&amp;``-style entities."""
    head = text[:limit]
    amp = head.rfind("&", max(0, limit - 6))
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head or text[:limit]


def split_messages(
    blocks: list[Block], *, max_blocks: int = BLOCKS_PER_MESSAGE, max_chars: int = MESSAGE_CHARS
) -> list[list[Block]]:
    """Group ``blocks`` into messages of at most ``max_blocks`` blocks and ``max_chars``."""
    messages: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        weight = len(json.dumps(block, ensure_ascii=False))
        current = messages[-1]
        if current and (len(current) >= max_blocks or size + weight > max_chars):
            messages.append([])
            size = 0
        messages[-1].append(block)
        size += weight
    return messages
