"""Does a question ask for a precedent: what another city, county or agency did?

"has any city allowed a trial period like that", "is there a county that…", "who did that
first", "any precedent?", "lessons from elsewhere" ask for a case (a case note), while "what
should go in our charter" asks for practice (a guide). ``retrieval.search`` gives case notes
a small prior for the first kind of question (``search.PRECEDENT_CASE_NOTE_WEIGHT``); it never
filters, so a guide that matches much better still ranks first.

The patterns are English question shapes, not topics: a question word followed by a kind of
place or body, "anyone", "precedent", "example of", "lessons from", "elsewhere". "how do other
cities do X" is left out on purpose: it usually asks for common practice, which the guides
state.
"""

from __future__ import annotations

import re

_PLACE = (
    r"(?:city|cities|county|counties|town|towns|place|places|jurisdiction|jurisdictions|"
    r"government|governments|agency|agencies|department|departments|peer|peers|state|"
    r"country|one|body)"
)
_PRECEDENT = re.compile(
    rf"\b(?:has|have|did|does)\s+(?:any|a|an|another|other|some)\s+(?:\w+\s+)?{_PLACE}\b"
    r"|\b(?:has|have|did)\s+(?:anyone|anybody|someone|somebody)\b"
    rf"|\b(?:is|are)\s+there\s+(?:a|an|any)\s+(?:\w+\s+)?{_PLACE}\b"
    r"|\b(?:which|what)\s+(?:\w+\s+)?(?:city|cities|county|counties|town|towns)\b"
    r"|\bwho\s+(?:has|have|did|else)\b|\bwas\s+first\b"
    r"|\bprecedents?\b|\bexamples?\s+of\b|\blessons\s+from\b|\bpeer\s+(?:city|cities|county)\b"
    r"|\bwhat\s+(?:happened|went\s+wrong)\b|\banother\s+city\b|\belsewhere\b|\bsomewhere\b",
    re.IGNORECASE,
)


def asks_for_precedent(question: str) -> bool:
    """Whether ``question`` asks what another city, county or agency did."""
    return _PRECEDENT.search(question) is not None
