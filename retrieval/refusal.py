"""When to refuse: the best match is too far, or the question names things the library
does not know.

One cosine cut lets through questions that sound on-topic but ask about a vendor, product or
place the playbooks never mention ("how many ALPR cameras does Tacoma have and what does
Genetec charge per license"): an embedding finds camera playbooks close. So a question is
refused when either
- its best dense similarity is under the calibrated threshold (``advisor eval --calibrate``), or
- it names ``MAX_UNKNOWN_NAMES`` or more things the library never uses: capitalized or
  upper-case words that do not open the question, or words with digits (``IR1101``), after
  spelling correction, or
- it asks for a kind of detail (``DETAILS``: a price or fee, a phone number or email, a time
  or date, a section of a law, a product's firmware or software version, a model number)
  and the best-matching passages hold nothing of that kind. "What does Flock charge per
  camera per year?" finds the camera guides, but no amount in them, so the answer would talk
  around the question. The detail must sit in a sentence that also names part of the
  question's subject: a case note's "$1 million" for software does not state what a business
  pays to join its camera program.
On the dev set the three signals together refuse 95% of the must-abstain questions at 97%
precision with one wrongful refusal, against 54% for the cosine alone (BENCHMARKS.md, "Third
pass"; `advisor eval --calibrate` shows each signal's share). A refusal is
"off-topic" when even the best match is far from everything, else "too specific".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from retrieval.models import Hit
from retrieval.text import STOP_WORDS, among, tokenize

MAX_UNKNOWN_NAMES = 2
DETAIL_EVIDENCE = 3  # the passages a requested detail must be found in (best hits first)
OFF_TOPIC_BELOW = 0.30  # best cosine under this: nothing in the library is near
RELATED_AT_LEAST = 0.33  # "closest topics" are only named at this cosine or above
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9'’.-]*[A-Za-z0-9]")


@dataclass(frozen=True)
class Detail:
    """A kind of detail a question can ask for, and how it looks in a passage."""

    asked: re.Pattern[str]  # the question asks for one (not merely mentions the topic)
    # a passage states one; None: the passage must state the very text the question's
    # ``detail`` group named (a year)
    present: re.Pattern[str] | None

    def stated(
        self, asked: re.Match[str], passages: Sequence[str], subject: frozenset[str] = frozenset()
    ) -> bool:
        """Whether a sentence of ``passages`` states such a detail; with ``subject`` (the
        question's word stems), only a sentence that also names part of the subject counts:
        a camera program's fee is not stated by the price of the department's software."""
        present = self.present or re.compile(rf"\b{re.escape(asked.group('detail'))}\b")
        for text in passages:
            for sentence in _SENTENCE_BREAK.split(text):
                if present.search(sentence) and (not subject or subject & set(tokenize(sentence))):
                    return True
        return False


_MONEY_WORD = r"(?:cost|costs|charge|charges|charged|charging|pay|pays|paid|spend|spent|budget)"
_CLOCK = r"\b\d{1,2}(?::\d{2})?\s?(?:a\.?m\.?|p\.?m\.?)(?!\w)"
_DAY = (
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december) \d{1,2}\b"
)
DETAILS: dict[str, Detail] = {
    "a price or fee": Detail(
        re.compile(
            rf"\bhow much (?:does|did|do|is|are|would|will|to)\b.{{0,60}}\b{_MONEY_WORD}\b"
            rf"|\bwhat (?:does|did|do|would|will)\b.{{0,50}}\b{_MONEY_WORD}\b"
            rf"|\b{_MONEY_WORD}\b.{{0,30}}\bper (?:camera|pole|node|license|unit|site)\b"
            r"|\bwhat(?:'s|s| is| are) the (?:fees?|price|cost|rates?)\b"
            r"|\bgoing (?:annual |monthly )?rate\b|\bballpark\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\$\s?\d|\b\d[\d,.]*\s?(?:million|billion|thousand)\b|\bdollars?\b",
            re.IGNORECASE,
        ),
    ),
    "a phone number or email": Detail(
        re.compile(
            r"\b(?:phone|e-?mail address|contact (?:info|details)|direct (?:#|line|number)"
            r"|dial in)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\(\d{3}\)\s?\d|\b\d{3}[-.]\d{3}[-.]\d{4}\b|\b[\w.-]+@[\w-]+\.\w+"),
    ),
    "a time or date": Detail(
        re.compile(
            r"\bwhat time\b|\bwhen(?:'s| is|s) the next\b|\bexact date\b"
            r"|\bwhen does\b.{0,40}\b(?:start|kick in|begin|open|close)\b",
            re.IGNORECASE,
        ),
        re.compile(rf"{_CLOCK}|{_DAY}", re.IGNORECASE),
    ),
    "a deadline": Detail(
        re.compile(r"\bdeadline\b", re.IGNORECASE),
        re.compile(
            rf"{_DAY}|\bdeadline\b"
            r"|\b\d+ (?:business |working |calendar )?(?:hours|days|weeks|months)\b",
            re.IGNORECASE,
        ),
    ),
    "a section of a law": Detail(
        re.compile(
            r"\b(?:what|which) (?:section|statute|article|chapter) of\b"
            # "which Minnesota statute section", "what city code section"
            r"|\b(?:what|which)(?: [\w'’-]+){0,2} (?:statute|code|law|ordinance) sections?\b",
            re.IGNORECASE,
        ),
        re.compile(r"§|\bsection \d|\b\d+-\d+-\d+\b", re.IGNORECASE),
    ),
    "that year": Detail(  # "how much did Columbus budget in 2025": a year nothing covers
        re.compile(
            r"\b(?:in|for|of|during)(?: (?:its|their|the|our|this|that|fiscal))* "
            r"(?:fy\s?)?(?P<detail>(?:19|20)\d\d)\b",
            re.IGNORECASE,
        ),
        None,  # the year asked about
    ),
    "a version": Detail(  # "what firmware version should our routers run"
        re.compile(
            r"\b(?:what|which)(?: [\w'’-]+){0,2} (?:firmware|software|os|release) versions?\b"
            r"|\b(?:what|which) versions? of (?:the )?(?:firmware|software|os)\b"
            r"|\b(?:latest|current|newest|supported) (?:firmware|software|os) (?:version|release)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\bv(?:ersion)?\s?\d+(?:\.\d+)*\b|\b\d+\.\d+\.\d+\b", re.IGNORECASE),
    ),
    "a model number": Detail(
        re.compile(r"\bmodel (?:numbers?|#)", re.IGNORECASE),
        re.compile(r"\b[A-Z]{2,}-?\d{2,}\w*\b"),
    ),
}


@dataclass(frozen=True)
class Signals:
    dense: float  # best cosine between the question and a chunk
    unknown_names: tuple[str, ...]  # names in the question the library never uses
    missing_details: tuple[str, ...] = ()  # details asked for that the best passages lack

    def refuses(self, threshold: float) -> bool:
        return (
            self.dense < threshold
            or len(self.unknown_names) >= MAX_UNKNOWN_NAMES
            or bool(self.missing_details)
        )

    @property
    def kind(self) -> str:
        return "off-topic" if self.dense < OFF_TOPIC_BELOW else "too-specific"


def unknown_names(
    question: str, vocabulary: Mapping[str, int], *, known: Collection[str] = ()
) -> tuple[str, ...]:
    """Names in the question the library never uses: capitalized or upper-case words that
    do not open it, and words with digits (``IR1101``); not stop words, not plain numbers,
    not ``known`` ones (lower case; a plural of one counts as known)."""

    def is_known(word: str) -> bool:
        return among(word.lower(), vocabulary) or among(word.lower(), known)

    found: list[str] = []
    for number, match in enumerate(_NAME.finditer(question)):
        word = re.split(r"['’]", match.group(0).rstrip("."))[0]
        if not _is_name(word, first=number == 0) or is_known(word):
            continue
        if "-" in word and not any(  # "ALPR-equipped", "NYPD-style": judged by their parts
            _is_name(part, first=False) and not is_known(part) for part in word.split("-")
        ):
            continue
        if word.lower() not in found:
            found.append(word.lower())
    return tuple(found)


def _is_name(word: str, *, first: bool) -> bool:
    """Whether ``word`` names something: digits (``IR1101``), all capitals, or a capital
    when it does not open the question; not a stop word, and three letters or more."""
    has_digit = any(ch.isdigit() for ch in word)
    named = has_digit or word.isupper() or (word[:1].isupper() and not first)
    return named and (len(word) >= 3 or has_digit) and word.lower() not in STOP_WORDS


def missing_details(question: str, passages: Sequence[str]) -> tuple[str, ...]:
    """The kinds of detail ``question`` asks for that no sentence of ``passages`` states
    together with a word of the question's subject (its words but names: "Detroit" says
    nothing about which price a sentence gives)."""
    missing = []
    subject = _subject_words(question)
    for kind, detail in DETAILS.items():
        asked = detail.asked.search(question)
        if asked and not detail.stated(asked, passages, subject):
            missing.append(kind)
    return tuple(missing)


def _subject_words(question: str) -> frozenset[str]:
    """The question's word stems, without its names (capitalized words after the first)."""
    names = {
        word
        for number, match in enumerate(_NAME.finditer(question))
        if number > 0 and match.group(0)[:1].isupper()
        for word in tokenize(match.group(0))
    }
    return frozenset(tokenize(question)) - names


def signals_for(
    question: str,
    hits: Sequence[Hit],
    *,
    vocabulary: Mapping[str, int],
    known: Collection[str] = (),
) -> Signals:
    """The refusal signals of a (spelling-corrected) question and its hybrid hits; ``known``:
    more names the library knows (the glossary's abbreviations, lower case)."""
    dense = max((h.dense for h in hits if h.dense is not None), default=0.0)
    passages = [h.chunk.text for h in hits[:DETAIL_EVIDENCE]]
    names = unknown_names(question, vocabulary, known=known)
    return Signals(dense, names, missing_details(question, passages))
