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


def question_parts(question: str) -> list[str]:
    """The question's parts, each with the shared preamble; [] for a single question."""
    text = " ".join(question.split())
    pieces = [p.strip(" ,;?") for p in _BOUNDARY.split(text)]
    pieces = [p for p in pieces if len(p.split()) >= MIN_WORDS]
    if len(pieces) < 2:
        return []
    first = _FIRST_ASK.search(pieces[0])
    preamble = pieces[0][: first.start()].strip() if first and first.start() > 0 else ""
    parts = [pieces[0]] + [f"{preamble} {p}".strip() for p in pieces[1:]]
    return parts[:MAX_PARTS]
