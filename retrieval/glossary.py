"""The abbreviations officials type, and what they mean (``playbooks/glossary.txt``).

"alpr retention?" names its subject with four letters the embedding model splits into
meaningless pieces, and the playbooks say "license plate reader". A curated glossary lets
the question be searched with its meaning too: ``Glossary.expand`` turns it into "alpr
(automated license plate reader) retention?" for search and answer composition; the person
still sees their own words, and the refusal rules read those (an abbreviation the glossary
explains is a name the library knows: ``Glossary.folded``).

The file is plain text, one abbreviation a line (``ALPR: automated license plate reader``),
``#`` comments and blank lines allowed. Reading it never raises for bad content: a bad line
is a ``Problem`` with its line number and the other lines still count; a file that cannot be
read at all (or is over ``MAX_FILE_BYTES``) reads as ``None``, so a running bot keeps the
glossary it has. It is read when the advisor opens (and on every live re-index check), with
no YAML parser on the ``ask`` path.

Matching: a word of the question is an abbreviation when it is spelled as in the glossary
(any case of letters the glossary writes in lower case: ``SaaS``, ``SAAS``), or in any other
case when its lower-case form is not an English word to the embedding model ("alpr", "Alpr",
"cjis"; but "pd", "sir", "la" or "smart" count only as ``PD``, ``SIR``, ``LA``, ``SMART``). A
plural ("SIRs") counts, and so does one part of a hyphenated word ("NYPD-style": its
meaning follows the whole word). Each abbreviation is expanded once, at its first use, and
at most ``MAX_EXPANSIONS`` a question (the meanings must not push the question's own words
past the model's 256 tokens).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.frontmatter import Problem

GLOSSARY_FILE = "glossary.txt"
MAX_MEANING_CHARS = 120
MAX_FILE_BYTES = 256_000
MAX_EXPANSIONS = 4  # meanings added to one question (its words stay within 256 tokens)
_TERM = re.compile(r"[A-Za-z][A-Za-z0-9&-]{0,11}")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&-]*")


@dataclass(frozen=True)
class Glossary:
    """Abbreviation (as written in the file) -> its meaning, with a case-folded lookup."""

    terms: dict[str, str] = field(default_factory=dict)
    # case-folded abbreviation -> as written in the file (derived from ``terms``)
    _by_folded: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_folded", {t.casefold(): t for t in self.terms})

    @property
    def folded(self) -> frozenset[str]:
        """Every abbreviation, case-folded: the speller leaves them as typed, and the refusal
        rules count them as names the library knows."""
        return frozenset(self._by_folded)

    def meaning(self, word: str, is_word: Callable[[str], bool] = lambda _: False) -> str | None:
        """What ``word`` abbreviates, or None (see the module docstring for when it counts)."""
        plural = len(word) > 2 and word.endswith("s")
        for candidate in (word, word[:-1]) if plural else (word,):
            term = self._by_folded.get(candidate.casefold())
            if term is not None and (
                _as_written(candidate, term) or not is_word(candidate.casefold())
            ):
                return self.terms[term]
        return None

    def expand(self, text: str, is_word: Callable[[str], bool] = lambda _: False) -> str:
        """``text`` with each abbreviation's meaning in brackets after its first use."""
        if not self.terms:
            return text
        seen: set[str] = set()

        def with_meaning(match: re.Match[str]) -> str:
            word = match.group(0)
            meaning = self.meaning(word, is_word)
            if meaning is None and "-" in word:  # "NYPD-style", "ALPR-equipped"
                meaning = next(
                    (m for part in word.split("-") if (m := self.meaning(part, is_word))), None
                )
            if meaning is None or meaning in seen or len(seen) == MAX_EXPANSIONS:
                return word
            seen.add(meaning)
            return f"{word} ({meaning})"

        return _WORD.sub(with_meaning, text)


def _as_written(word: str, term: str) -> bool:
    """``word`` is ``term`` with the letters the glossary writes in capitals in capitals."""
    return len(word) == len(term) and all(
        w == t or (t.islower() and w.casefold() == t) for w, t in zip(word, term, strict=True)
    )


def read_glossary(root: Path) -> tuple[Glossary | None, list[Problem]]:
    """The glossary in ``root/glossary.txt`` (empty if absent; ``None`` if the file cannot be
    read at all) and what is wrong with it. A line that is not UTF-8 is a problem of that
    line; a byte-order mark is ignored."""
    path = root / GLOSSARY_FILE
    try:
        if not path.is_file():
            return Glossary(), []
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, [Problem(GLOSSARY_FILE, 1, "error", f"cannot read the file: {reason}")]
    if len(data) > MAX_FILE_BYTES:
        message = f"file is {len(data):,} bytes, over the limit of {MAX_FILE_BYTES:,}"
        return None, [Problem(GLOSSARY_FILE, 1, "error", message)]
    return parse_glossary(data.decode("utf-8-sig", errors="replace").splitlines())


def parse_glossary(lines: Iterable[str]) -> tuple[Glossary, list[Problem]]:
    """Parse glossary lines; a bad line is a problem (with its number), the rest still count."""
    terms: dict[str, str] = {}
    where: dict[str, int] = {}
    problems: list[Problem] = []

    def bad(number: int, message: str, fix: str) -> None:
        problems.append(Problem(GLOSSARY_FILE, number, "error", message, fix))

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if "\ufffd" in line:  # undecodable bytes (read_glossary replaced them)
            bad(number, "line is not UTF-8 text", "save the file as UTF-8")
            continue
        if not line or line.startswith("#"):
            continue
        term, colon, meaning = line.partition(":")
        term, meaning = term.strip(), _unquoted(meaning.strip())
        if not colon or not _TERM.fullmatch(term):
            bad(
                number,
                "not an 'ABBREVIATION: meaning' line",
                "write the abbreviation (letters and digits, up to 12), a colon, its meaning",
            )
            continue
        if not meaning or len(meaning) > MAX_MEANING_CHARS or any(c in meaning for c in "\0<>"):
            bad(
                number,
                f"the meaning of {term} is empty, over {MAX_MEANING_CHARS} characters or has "
                "< > or NUL",
                "write a short plain meaning",
            )
            continue
        folded = term.casefold()
        if folded in where:
            bad(
                number,
                f"{term} is already defined on line {where[folded]}",
                "keep one line for it",
            )
            continue
        where[folded] = number
        terms[term] = meaning
    return Glossary(terms), problems


def _unquoted(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text
