"""When to refuse: the best match is too far, or the question names things the library
does not know.

One cosine cut lets through questions that sound on-topic but ask about a vendor, product or
place the playbooks never mention ("how many ALPR cameras does Tacoma have and what does
Genetec charge per license"): an embedding finds camera playbooks close. So a question is
refused when either
- its best dense similarity is under the calibrated threshold (``advisor eval --calibrate``), or
- it names ``MAX_UNKNOWN_NAMES`` or more things the library never uses: capitalized or
  upper-case words that do not open the question, or words with digits (``IR1101``), after
  spelling correction.
On the dev set this rule catches 59% of the must-abstain questions at 96% precision with one
wrongful refusal, against 44% for the cosine alone (BENCHMARKS.md, "Refusals"). A refusal is
"off-topic" when even the best match is far from everything, else "too specific".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from retrieval.models import Hit
from retrieval.text import STOP_WORDS

MAX_UNKNOWN_NAMES = 2
OFF_TOPIC_BELOW = 0.30  # best cosine under this: nothing in the library is near
RELATED_AT_LEAST = 0.33  # "closest topics" are only named at this cosine or above
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9'’.-]*[A-Za-z0-9]")


@dataclass(frozen=True)
class Signals:
    dense: float  # best cosine between the question and a chunk
    unknown_names: tuple[str, ...]  # names in the question the library never uses

    def refuses(self, threshold: float) -> bool:
        return self.dense < threshold or len(self.unknown_names) >= MAX_UNKNOWN_NAMES

    @property
    def kind(self) -> str:
        return "off-topic" if self.dense < OFF_TOPIC_BELOW else "too-specific"


def unknown_names(question: str, vocabulary: Mapping[str, int]) -> tuple[str, ...]:
    """Names in the question the library never uses: capitalized or upper-case words that
    do not open it, and words with digits (``IR1101``); not stop words, not plain numbers."""
    found: list[str] = []
    for number, match in enumerate(_NAME.finditer(question)):
        word = re.split(r"['’]", match.group(0).rstrip("."))[0]
        lowered = word.lower()
        has_digit = any(ch.isdigit() for ch in word)
        named = has_digit or word.isupper() or (word[:1].isupper() and number > 0)
        if not named or (len(word) < 3 and not has_digit) or lowered in STOP_WORDS:
            continue
        if lowered in vocabulary or (lowered.endswith("s") and lowered[:-1] in vocabulary):
            continue
        if lowered not in found:
            found.append(lowered)
    return tuple(found)


def signals_for(question: str, hits: Sequence[Hit], *, vocabulary: Mapping[str, int]) -> Signals:
    """The refusal signals of a (spelling-corrected) question and its hybrid hits."""
    dense = max((h.dense for h in hits if h.dense is not None), default=0.0)
    return Signals(dense, unknown_names(question, vocabulary))
