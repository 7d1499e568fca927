"""Spelling-tolerant search: correct query words against the index's own vocabulary.

Officials type fast. A question word that appears nowhere in the playbooks is matched to
the closest word that does (Damerau-Levenshtein distance 1, or 2 for words of 8+ letters,
via rapidfuzz, same first letter or the first two swapped), preferring the more frequent
word, and only when the best match is clear. Words the library already uses, in any form
(``notifies`` when it says ``notify``: same Snowball stem), are never rewritten, and neither
are names: capitalized or upper-case words after the first, and words with digits
(``IR1101``), stay as typed, so an unknown product or place still reads as unknown to the
refusal signals. Nor are correctly spelled English words the playbooks happen not to use: a
word the embedding model's own vocabulary holds whole (``dictionary``), or whole but for an
ending ("gateways"), is a word, not a typo ("precedent" is not read as "president", "stuff"
as "staff", "chili" as "child").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from retrieval.models import Correction
from retrieval.text import STOP_WORDS, among, stem, words

MIN_LENGTH = 5  # shorter words are too ambiguous to correct
MIN_COUNT = 2  # a correction must be a word the library uses at least twice
MAX_CORRECTIONS = 4
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z]")


def count_words(texts: Iterable[str]) -> dict[str, int]:
    """How often each lowercase word (3+ letters, no digits) occurs: the vocabulary."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in words(text) if len(w) >= 3 and w.isalpha())
    return dict(counts)


@dataclass
class Speller:
    """Corrections against one vocabulary (word -> count); thread-safe.

    ``dictionary`` gives the words known to be spelled right though the library lacks them
    (``retrieval.model_files.dictionary_words`` of the embedding model). It, and the stems of
    the vocabulary, are read on the first question word the vocabulary lacks (most questions
    have none: a cold ``advisor ask`` skips ~5,000 stemmings and the dictionary file), and
    rapidfuzz is imported on the first word that needs a correction.
    """

    vocabulary: Mapping[str, int]
    dictionary: Callable[[], Collection[str]] | None = None
    _by_length: dict[int, list[str]] = field(default_factory=dict, repr=False)
    _stems: frozenset[str] | None = field(default=None, repr=False)
    _words: Collection[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for word, count in self.vocabulary.items():
            if count >= MIN_COUNT:
                self._by_length.setdefault(len(word), []).append(word)

    def _known_stem(self, word: str) -> bool:
        """Whether some vocabulary word has ``word``'s stem (a benign race: two threads
        that both find no stems yet compute the same set)."""
        stems = self._stems
        if stems is None:
            stems = self._stems = frozenset(stem(known) for known in self.vocabulary)
        return stem(word) in stems

    def is_word(self, word: str) -> bool:
        """Whether lower-case ``word`` is a correctly spelled English word (``dictionary``;
        read on first use, a benign race as for the stems)."""
        known = self._words
        if known is None:
            known = self._words = self.dictionary() if self.dictionary is not None else ()
        if word in known:
            return True
        # WordPiece keeps many inflected forms as pieces ("gateway" + "##s"): "gateways" is a word
        return any(
            word.endswith(suffix) and len(word) - len(suffix) >= 3 and base in known
            for suffix, base in (
                ("s", word[:-1]),
                ("es", word[:-2]),
                ("ed", word[:-2]),
                ("ed", word[:-1]),
                ("ing", word[:-3]),
                ("ing", word[:-3] + "e"),
            )
        )

    def correct(
        self, question: str, *, keep: Collection[str] = ()
    ) -> tuple[str, tuple[Correction, ...]]:
        """The question with unknown words replaced by clear corrections, and the changes;
        words in ``keep`` (lower case: the glossary's abbreviations) stay as typed."""
        fixes: list[Correction] = []
        pieces: list[str] = []
        cursor = 0
        for number, match in enumerate(_TOKEN.finditer(question)):
            typed = match.group(0)
            fix = None
            if len(fixes) < MAX_CORRECTIONS and self._unknown(typed, number == 0, keep):
                fix = self._best(typed.lower())
            if fix is not None:
                pieces.append(question[cursor : match.start()])
                pieces.append(fix)
                cursor = match.end()
                fixes.append(Correction(typed, fix))
        pieces.append(question[cursor:])
        return "".join(pieces), tuple(fixes)

    def unreadable(self, text: str, *, keep: Collection[str] = ()) -> str | None:
        """``text`` (as ``correct`` returned it) without the words no one can read, or None
        when it has none: words the library does not use in any form, not English to the
        model, not names or abbreviations (``keep``), and so left uncorrected ("uitty",
        three edits from "utility"); a corrected word is the library's own."""
        pieces: list[str] = []
        cursor = 0
        for number, match in enumerate(_TOKEN.finditer(text)):
            if self._unknown(match.group(0), number == 0, keep):
                pieces.append(text[cursor : match.start()])
                cursor = match.end()
        if not pieces:
            return None
        pieces.append(text[cursor:])
        return " ".join("".join(pieces).split())

    def _unknown(self, typed: str, first: bool, keep: Collection[str]) -> bool:
        """A word neither the library, the model's dictionary nor ``keep`` knows, and no name."""
        lowered = typed.lower()
        if among(lowered, keep):
            return False
        return self._may_correct(typed, first=first)

    def _may_correct(self, typed: str, *, first: bool) -> bool:
        lowered = typed.lower()
        if len(typed) < MIN_LENGTH or "'" in typed or "’" in typed:
            return False
        if lowered in STOP_WORDS or lowered in self.vocabulary or self._known_stem(lowered):
            return False  # a word the library uses, perhaps in another form
        # An acronym or a name is never rewritten, nor a word spelled right.
        if typed.isupper() or (typed[0].isupper() and not first):
            return False
        return not self.is_word(lowered)

    def _best(self, word: str) -> str | None:
        limit = 1 if len(word) < 8 else 2
        candidates = [
            w
            for size in range(len(word) - limit, len(word) + limit + 1)
            for w in self._by_length.get(size, [])
            # a typo rarely hits the first letter, but may swap the first two ("awnts")
            if w[0] == word[0] or w[:2] == word[1::-1]
        ]
        if not candidates:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        found = process.extract(
            word,
            candidates,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=limit,
            limit=8,
        )
        if not found:
            return None
        best_distance = min(d for _, d, _ in found)
        closest = [w for w, d, _ in found if d == best_distance]
        closest.sort(key=lambda w: -self.vocabulary[w])
        if len(closest) > 1 and self.vocabulary[closest[0]] < 2 * self.vocabulary[closest[1]]:
            return None  # two equally close, equally common words: not clear
        return closest[0]
