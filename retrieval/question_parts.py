"""Split a question that asks two or three things into its parts.

"we're setting up a working group — who should be on it and how often should it meet?" asks
about membership and about cadence. The composer scores evidence against each part as well
as the whole, so one part cannot crowd the other out of the answer. Each part keeps the
question's shared preamble ("we're setting up a working group —"), which names the topic.
"""

from __future__ import annotations

import re

_ASKS = (
    r"(?:who|what|when|where|which|why|how|whose|is|are|do|does|did|can|could|should|would|"
    r"will|was|were|has|have|any)"
)
# A new part starts after "?", ";" or ", and"/" and"/", or"/"," before a question word.
_BOUNDARY = re.compile(
    rf"(?:\?\s+|;\s*|,?\s+(?:and|or|also|plus)\s+(?:then\s+)?|,\s+)(?={_ASKS}\b)",
    re.IGNORECASE,
)
_FIRST_ASK = re.compile(rf"\b{_ASKS}\b", re.IGNORECASE)
MAX_PARTS = 3
MIN_WORDS = 3
_STRIP = " ,;?"


def question_parts(question: str) -> list[str]:
    """The question's parts, each with the shared preamble; [] for a single question."""
    text = " ".join(question.split())
    pieces = [text[start:end] for start, end in _piece_spans(text)]
    if len(pieces) < 2:
        return []
    first = _FIRST_ASK.search(pieces[0])
    preamble = pieces[0][: first.start()].strip() if first and first.start() > 0 else ""
    parts = [pieces[0]] + [f"{preamble} {p}".strip() for p in pieces[1:]]
    return parts[:MAX_PARTS]


def part_spans(question: str) -> list[tuple[int, int]]:
    """Where each part of ``question_parts(question)`` asks its own thing in ``question``
    (whitespace-folded, as ``clean_question`` leaves it): the ``(start, end)`` characters of
    its piece, the shared preamble only in the first. [] for a single question.

    A part's vector is pooled over these characters' tokens in the one model pass over the
    whole question (``Embedder.embed_spans``), where each token has read the preamble too.
    """
    spans = _piece_spans(question)
    return spans[:MAX_PARTS] if len(spans) >= 2 else []


def _piece_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of ``text``'s pieces between boundaries, stripped of spaces and
    ``,;?``, with at least ``MIN_WORDS`` words."""
    spans = []
    start = 0
    for end in [*(m.start() for m in _BOUNDARY.finditer(text)), len(text)]:
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip(_STRIP))
        right = len(piece.rstrip(_STRIP))
        if right > left and len(piece[left:right].split()) >= MIN_WORDS:
            spans.append((start + left, start + right))
        boundary = _BOUNDARY.match(text, end)
        start = boundary.end() if boundary is not None else end
    return spans
