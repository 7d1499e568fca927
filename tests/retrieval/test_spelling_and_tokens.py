"""Word forms (Snowball) and spelling-tolerant search against the library's vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embeddings import resolve_model_path
from retrieval.evaluation import EvalQuestion, typo_variants
from retrieval.model_files import dictionary_words
from retrieval.models import Correction
from retrieval.spelling import Speller, count_words
from retrieval.text import tokenize
from tests.retrieval.conftest import OpenAdvisor

VOCABULARY = count_words(
    [
        "Utilities share the fiber network with IT. Utilities own the poles. The network "
        "is shared; the fiber network needs a utility agreement. Retention retention policy "
        "policies. Oakland Oakland commission commission. Network networks.",
    ]
)


@pytest.mark.parametrize(
    ("one", "other"),
    [("cities", "city"), ("ordinances", "ordinance"), ("policing", "police"), ("meets", "meeting")],
)
def test_word_forms_meet_in_one_stem(one: str, other: str) -> None:
    assert tokenize(one) == tokenize(other)


def test_misspelled_words_are_read_as_the_library_spells_them() -> None:
    text, fixes = Speller(VOCABULARY).correct(
        "how to get utilites and IT to share the fiber netwrok"
    )
    assert text == "how to get utilities and IT to share the fiber network"
    assert fixes == (Correction("utilites", "utilities"), Correction("netwrok", "network"))


def test_known_words_names_acronyms_and_model_numbers_are_never_rewritten() -> None:
    speller = Speller(VOCABULARY)
    for question in (
        "fiber network retention",  # all known
        "does Tacoma share its netwrk",  # 'Tacoma' is a name: kept; 'netwrk' is corrected
        "ALPR policy",  # an acronym
        "firmware for the IR1101",  # digits
    ):
        text, fixes = speller.correct(question)
        assert all(f.typed not in ("Tacoma", "ALPR", "IR1101") for f in fixes)
        assert "Tacoma" in text or "Tacoma" not in question
    assert speller.correct("fiber network retention") == ("fiber network retention", ())


def test_an_unclear_correction_is_not_made() -> None:
    speller = Speller({"parks": 5, "parts": 5})
    assert speller.correct("the parcs") == ("the parcs", ())  # parks or parts? not clear


def test_a_correctly_spelled_word_the_library_lacks_is_not_rewritten() -> None:
    vocabulary = count_words(["The president signed. The president spoke. Staff staff staff."])
    plain = Speller(vocabulary)
    assert plain.correct("any precedent")[0] == "any president"  # what a vocabulary alone does
    calls: list[int] = []

    def dictionary() -> frozenset[str]:
        calls.append(1)
        return frozenset({"precedent", "stuff"})

    speller = Speller(vocabulary, dictionary=dictionary)
    assert speller.correct("the president and staff") == ("the president and staff", ())
    assert calls == []  # every word is the library's: the dictionary is not even read
    assert speller.correct("any precedent for this stuff") == ("any precedent for this stuff", ())
    _, fixes = speller.correct("the presidnet and staf")
    assert fixes == (Correction("presidnet", "president"),)  # typos are still corrected
    assert calls == [1]  # read once


def test_the_first_two_letters_swapped_are_corrected_and_an_inflected_word_is_kept() -> None:
    vocabulary = count_words(["The council wants routes. Wants wants routes routes."])
    speller = Speller(vocabulary, dictionary=lambda: frozenset({"router", "share"}))
    assert speller.correct("council awnts it") == (
        "council wants it",
        (Correction("awnts", "wants"),),
    )
    assert speller.correct("old routers") == ("old routers", ())  # "router" + "s": a word
    assert speller.correct("sharing routes") == ("sharing routes", ())  # "share" + "ing"
    assert Speller(vocabulary).correct("old routers")[0] == "old routes"  # without it


def test_words_no_one_can_read_are_found_and_everything_else_is_kept() -> None:
    speller = Speller(VOCABULARY, dictionary=lambda: frozenset({"access", "share", "pole"}))
    assert speller.unreadable("how do we get the uitty to share pole access") == (
        "how do we get the to share pole access"  # three edits from "utility": no correction
    )
    assert speller.unreadable("does Tacoma share the fiber network") is None  # a name
    assert speller.unreadable("ALPR and IR1101 access") is None  # an acronym, a model number
    assert speller.unreadable("the zzyzx xqwrtv", keep={"zzyzx"}) == "the zzyzx"  # glossary
    assert speller.unreadable("fiber network retention") is None


def test_the_dictionary_is_the_models_whole_words(tmp_path: Path) -> None:
    (tmp_path / "vocab.txt").write_text(
        "[PAD]\n[unused0]\n.\n##ing\na\nprecedent\nchili\nIR1101\n2019\nThe\n", encoding="utf-8"
    )
    assert dictionary_words(tmp_path) == {"precedent", "chili"}
    assert dictionary_words(tmp_path / "missing") == frozenset()
    bundled = dictionary_words(Path(resolve_model_path("bundled:all-MiniLM-L6-v2")))
    assert {"precedent", "retirement", "stuff", "chili"} <= bundled
    assert not {"netwrok", "utilites", "retentoin"} & bundled


def test_the_typo_copy_is_deterministic_and_changes_one_or_two_words() -> None:
    questions = [EvalQuestion("how do agencies negotiate retention schedules today", ("a",))]
    first, again = typo_variants(questions), typo_variants(questions)
    assert first == again
    before, after = questions[0].question.split(), first[0].question.split()
    changed = [a for a, b in zip(before, after, strict=True) if a != b]
    assert 1 <= len(changed) <= 2 and first[0].relevant == ("a",)


def test_a_misspelled_question_finds_what_the_correct_one_finds(
    open_advisor: OpenAdvisor,
) -> None:
    advisor = open_advisor()
    right = advisor.ask("who approves a footage retention hold")
    typed = advisor.ask("who approves a fotage retentoin hold")
    assert typed.corrections == (
        Correction("fotage", "footage"),
        Correction("retentoin", "retention"),
    )
    assert typed.question == "who approves a fotage retentoin hold"  # shown as typed
    assert [h.chunk.id for h in typed.hits] == [h.chunk.id for h in right.hits]
