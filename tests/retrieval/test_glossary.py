"""The abbreviations glossary (``playbooks/glossary.txt``): reading it line by line with
problems that name the line, expanding a question's abbreviations, and the engine searching
with the meaning while refusing and showing on the person's own words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from retrieval.documents import load_corpus
from retrieval.engine import Advisor, SearchOptions, open_glossary
from retrieval.glossary import (
    GLOSSARY_FILE,
    MAX_EXPANSIONS,
    Glossary,
    parse_glossary,
    read_glossary,
)
from retrieval.index import build_index, load_index
from retrieval.validation import validate_corpus
from tests.fakes.embedder import HashEmbedder

ENGLISH = frozenset({"la", "dot", "smart"})


def is_word(word: str) -> bool:
    return word in ENGLISH


def test_lines_comments_and_quotes_are_read_and_each_bad_line_is_named() -> None:
    glossary, problems = parse_glossary(
        [
            "# what officials type",
            "",
            "ALPR: automated license plate reader",
            "SaaS: 'software as a service'",
            "no colon on this line",
            "PIA:",
            "alpr: again, other case",
            "LA: Los Angeles",
            "X" * 13 + ": too long a name",
        ]
    )
    assert glossary.terms == {
        "ALPR": "automated license plate reader",
        "SaaS": "software as a service",
        "LA": "Los Angeles",
    }
    assert [(p.path, p.line) for p in problems] == [
        (GLOSSARY_FILE, 5),
        (GLOSSARY_FILE, 6),
        (GLOSSARY_FILE, 7),
        (GLOSSARY_FILE, 9),
    ]
    assert "already defined on line 3" in problems[2].message


def test_reading_the_file_never_raises(tmp_path: Path) -> None:
    assert read_glossary(tmp_path) == (Glossary(), [])  # no file: no abbreviations
    path = tmp_path / GLOSSARY_FILE
    path.write_bytes(b"\xef\xbb\xbfALPR: plate reader\nPD: police \xff\nSOC: security center\n")
    glossary, [problem] = read_glossary(tmp_path)  # a byte-order mark is not line 1's problem
    assert glossary is not None
    assert glossary.terms == {"ALPR": "plate reader", "SOC": "security center"}
    assert problem.line == 2 and "UTF-8" in problem.message  # only the bad line is lost
    path.write_text("ALPR: plate <!channel> reader\nPD: police\n")
    glossary, [problem] = read_glossary(tmp_path)
    assert glossary is not None and glossary.terms == {"PD": "police"} and problem.line == 1
    path.write_text("PD: police\n" * 30_000)  # over the size limit: unusable as a whole
    glossary, [problem] = read_glossary(tmp_path)
    assert glossary is None and "over the limit" in problem.message


def test_an_abbreviation_gets_its_meaning_once_as_written_or_in_lower_case() -> None:
    glossary = Glossary(
        {
            "ALPR": "automated license plate reader",
            "LA": "Los Angeles",
            "SIR": "surveillance impact report",
            "SaaS": "software as a service",
        }
    )
    assert glossary.expand("alpr retention?", is_word) == (
        "alpr (automated license plate reader) retention?"
    )
    assert glossary.expand("Alpr retention?", is_word) == (  # a phone's capital
        "Alpr (automated license plate reader) retention?"
    )
    assert glossary.expand("ALPR and ALPR again", is_word) == (
        "ALPR (automated license plate reader) and ALPR again"
    )
    # "la" is an English word: only "LA" is Los Angeles
    assert glossary.expand("la la land in LA", is_word) == "la la land in LA (Los Angeles)"
    assert glossary.expand("two SIRs", is_word) == "two SIRs (surveillance impact report)"
    assert glossary.expand("saas or SAAS", is_word) == "saas (software as a service) or SAAS"
    assert glossary.expand("PLAN a salsa", is_word) == "PLAN a salsa"  # whole words only


def test_an_abbreviation_inside_a_hyphenated_word_gets_its_meaning() -> None:
    glossary = Glossary({"NYPD": "New York City Police Department", "LA": "Los Angeles"})
    assert glossary.expand("an NYPD-style disclosure law", is_word) == (
        "an NYPD-style (New York City Police Department) disclosure law"
    )
    assert glossary.expand("nypd-style law, NYPD again", is_word) == (
        "nypd-style (New York City Police Department) law, NYPD again"  # once, at first use
    )
    # no part is an abbreviation, or the part is the English word: left as typed
    assert glossary.expand("a well-known e-mail", is_word) == "a well-known e-mail"
    assert glossary.expand("a la-carte menu", is_word) == "a la-carte menu"


def test_a_question_of_abbreviations_gets_a_few_meanings_not_all() -> None:
    glossary = Glossary({f"AB{letter}": f"meaning {letter}" for letter in "CDEFGH"})
    expanded = glossary.expand("ABC ABD ABE ABF ABG ABH", is_word)
    assert expanded.count("(meaning") == MAX_EXPANSIONS
    assert expanded.endswith("ABG ABH")


def test_the_engine_searches_with_the_meaning_and_refuses_on_the_persons_words(
    corpus_dir: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "idx"
    build_index(load_corpus(corpus_dir), HashEmbedder(), index_dir)
    index = load_index(index_dir)
    assert index is not None
    options = SearchOptions(abstain_threshold=0.2)
    glossary = Glossary({"WGC": "working group charter", "QXZ": "Quarkly Zibbon Nonsense"})
    plain = Advisor(index, HashEmbedder(), options)
    advisor = Advisor(index, HashEmbedder(), options, glossary)

    assert plain.search("WGC?")[0].chunk.doc_id != "guides-charter"
    assert advisor.search("WGC?")[0].chunk.doc_id == "guides-charter"
    evidence = advisor.evidence("what goes in a WGC?")
    assert evidence.asked == "what goes in a WGC?"  # shown as typed
    assert evidence.compose["question"] == "what goes in a WGC (working group charter)?"
    # An abbreviation the glossary explains is a name the library knows; others are not.
    assert advisor.signals("the QXZs and QXYs", []).unknown_names == ("qxys",)
    assert plain.signals("the QXZs and QXYs", []).unknown_names == ("qxzs", "qxys")


def test_the_speller_leaves_an_abbreviation_as_typed(corpus_dir: Path, tmp_path: Path) -> None:
    build_index(load_corpus(corpus_dir), HashEmbedder(), tmp_path / "idx")
    index = load_index(tmp_path / "idx")
    assert index is not None
    [typo] = index.speller.correct("charterz")[1]  # a word near one the library uses
    glossary = Glossary({"charterz": "a made-up abbreviation"})
    advisor = Advisor(index, HashEmbedder(), SearchOptions(), glossary)
    assert typo.read_as == "charter"
    assert advisor.correct("charterz") == ("charterz", ())
    assert advisor.correct("charterzs") == ("charterzs", ())  # its plural too


def test_the_advisor_opens_with_the_playbooks_glossary_and_validation_names_bad_lines(
    corpus_dir: Path, tmp_path: Path
) -> None:
    (corpus_dir / GLOSSARY_FILE).write_text("WGC: working group charter\nbroken line\n")
    assert open_glossary(corpus_dir).terms == {"WGC": "working group charter"}
    advisor, _, _ = Advisor.open(
        playbooks_dir=corpus_dir, index_dir=tmp_path / "idx", embedder=HashEmbedder()
    )
    assert advisor.glossary.terms == {"WGC": "working group charter"}
    problems = [str(p) for p in validate_corpus(corpus_dir, today=date(2026, 1, 1)).problems]
    assert any(p.startswith(f"{GLOSSARY_FILE}:2: error") for p in problems)


def test_the_shipped_glossary_is_valid() -> None:
    shipped = Path(__file__).resolve().parents[2] / "playbooks"
    glossary, problems = read_glossary(shipped)
    assert problems == [] and len(glossary.terms) >= 40
    assert glossary.terms["ALPR"] == "automated license plate reader"
