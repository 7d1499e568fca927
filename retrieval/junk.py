"""Junk rules: text that must never be shown as part of an answer.

Each rule names a pattern found in real answers: audience lines, the file describing itself,
cross-references, list debris, fragments left by bold labels or link lists, Markdown debris,
checklist questions, and sentences that lean on text not shown ("Federal grants are built
around this transition."). ``junk_reason`` is used twice: the composer skips such units (or
shows a dependent sentence together with the one before it), and ``advisor eval`` checks every
answer's text with the same rules, so a regression shows up as a junk rate above zero.
"""

from __future__ import annotations

import re
from functools import lru_cache

from retrieval.chunking import SENTENCE_END

_AUDIENCE = re.compile(
    r"^(?:for|written for|aimed at)\s+(?:(?:the|a|an|any|busy|city|every)\s+)?"
    r"(?:[\w'-]+\s+){0,3}?"
    r"(?:deputy|cios?\b|ctos?\b|program|project|managers?\b|officials?\b|staff\b|leaders?\b|"
    r"directors?\b|administrators?\b|teams?\b|anyone\b|readers?\b|you\b)",
    re.IGNORECASE,
)
_META = re.compile(
    r"^(?:this|the|our)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:playbook|guide|case note|note|page|document|section|file)s?\b"
    r"(?!\s+(?:says|shows|found|finds))"
    r"|^(?:condensed|adapted|summari[sz]ed|drawn|compiled)\s+from\b"
    r"|^(?:sources?|last (?:checked|reviewed|updated)|see also|related)\s*:",
    re.IGNORECASE,
)
_CROSS_REFERENCE = re.compile(
    r"^(?:see|read|refer to|go to)\s"
    r"|\(see\s[^)]*\)"
    r"|\bsee\s.{1,80}?\s(?:for|on)\s(?:the\s)?(?:full|more|details|how|a fuller|guidance)"
    r"|\b(?:is|are) covered (?:in|by)\b",
    re.IGNORECASE,
)
# A sentence that opens by pointing back at text the reader has not seen.
_LEANS_BACK_START = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|them|such|both|he|she|his|her|"
    r"however|but|and|or|also|so|instead|otherwise|then|still|yet|likewise|similarly|"
    r"here|there(?!\s+(?:is|are|was|were|will|may|can|must|should|has|have)\b)|"
    r"the (?:same|former|latter|other|rest))\b",
    re.IGNORECASE,
)
# "... built around this transition": a demonstrative whose noun the sentence never named.
_DEMONSTRATIVE = re.compile(
    r"\b(this|these|such)\s+([a-z][a-z-]+)"
    # "that"/"those" only after a preposition ("refers questions to that person", "the merits
    # of that decision"), where it cannot be the conjunction or a relative pronoun
    r"|\b(?:to|of|with|for|from|on|about|by|without|into|under|over|at|after|before)\s+"
    r"(that|those)\s+([a-z][a-z-]+)",
    re.IGNORECASE,
)
_TIME_WORDS = frozenset(
    [
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "quarter",
        "time",
        "day",
        "days",
        "season",
        "spring",
        "summer",
        "fall",
        "autumn",
        "winter",
        "morning",
        "evening",
    ]
)
_NOT_NOUNS = frozenset(["as", "a", "an", "that", "the", "is", "was", "it", "they", "we", "you"])
_MARKDOWN_DEBRIS = re.compile(r"\|\s|\s\||^#|\*\*|__|\]\(|^\[|^>")
_LABEL = re.compile(r"^[A-Z][a-z]+ing\b")
_FINITE = re.compile(
    r"\b(?:is|are|was|were|be|has|have|had|must|should|will|would|can|could|may|might|"
    r"does|do|did)\b",
    re.IGNORECASE,
)
MIN_WORDS = 5
MAX_CHARS = 450


@lru_cache(maxsize=65_536)  # pure: the same unit is judged for many questions
def junk_reason(text: str, *, standalone: bool = True) -> str | None:
    """Why ``text`` (one answer sentence) is junk, or ``None`` if it reads well.

    ``standalone`` is False for a sentence shown right after the one it follows in its
    source, where pointing back ("This means…") is fine.
    """
    stripped = text.strip()
    words = stripped.split()
    if len(words) < MIN_WORDS:
        return "fragment"
    if len(stripped) > MAX_CHARS:
        return "too long"
    if _MARKDOWN_DEBRIS.search(stripped):
        return "markdown debris"
    if stripped[0].islower() or stripped.endswith((";", ",", ":", "—", "-")):
        return "list debris"
    if not stripped.endswith((".", "!", ")", '"', "”", "’", "'")):
        return "question" if stripped.endswith("?") else "fragment"
    if _LABEL.match(stripped) and len(words) <= 8 and not _FINITE.search(stripped):
        return "fragment"  # a bold label left on its own ("Carrying the review forward.")
    if _AUDIENCE.match(stripped):
        return "audience line"
    if _META.match(stripped):
        return "describes the file"
    if _CROSS_REFERENCE.search(stripped):
        return "cross-reference"
    if standalone and leans_back(stripped):
        return "leans on text not shown"
    return None


# "Programs like it show…": the opening words compare with something named before (not the
# verb: "Residents like it when…").
_LIKE_BEFORE = re.compile(
    r"^(?:[\w'’-]+\s+){1,3}like (?:it|them|this|that|these|those)\b"
    r"(?!\s+(?:when|if|because|that|better|more|less)\b|\s*[,.;:!?]|$)",
    re.IGNORECASE,
)
# "Drawing on interviews with officials, they describe…": a fronted participle or preposition
# phrase, then a personal pronoun as the subject. The pronoun is the participle's subject too,
# so the nouns inside the phrase cannot be what it names: it names someone said before.
_FRONTED_PRONOUN = re.compile(
    r"^(?:[A-Za-z]+ing|in|on|at|by|with|after|before|during|since|for|from|under|through|"
    r"within|without|once|having)\b[^,;:]{0,160},\s+(?:they|he|she)\s+[a-z]",
    re.IGNORECASE,
)
_POINTER = re.compile(
    r"\b(?:here|above|below|the former|the latter|the following|as follows|(?:this|that) way)\b",
    re.IGNORECASE,
)


def leans_back(text: str) -> bool:
    """Whether ``text`` depends on the sentence before it to make sense."""
    if (
        _LEANS_BACK_START.match(text)
        or _POINTER.search(text)
        or _LIKE_BEFORE.match(text)
        or _FRONTED_PRONOUN.match(text)
    ):
        return True
    lowered = text.lower()
    for match in _DEMONSTRATIVE.finditer(text):
        noun = (match.group(2) or match.group(4)).lower()
        if noun in _TIME_WORDS or noun in _NOT_NOUNS:
            continue
        stem = noun[:5]
        if stem not in lowered[: match.start()]:
            return True
    return False


def answer_junk(sentences: list[str]) -> list[tuple[str, str]]:
    """Every junk sentence in an answer's sentences, with its reason.

    A sentence may hold two or three source sentences shown together; only the first of
    those must stand alone.
    """
    found = []
    for sentence in sentences:
        parts = [p for p in SENTENCE_END.split(sentence.strip()) if p.strip()]
        for number, part in enumerate(parts):
            reason = junk_reason(part, standalone=number == 0)
            if reason is not None:
                found.append((part, reason))
    return found
