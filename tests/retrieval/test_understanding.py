"""Understanding the question, with the real model on the shipped playbooks (issue 10):
misspellings, names the library does not know, and the kind of refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.engine import Advisor
from retrieval.evaluation import evaluate, load_questions, typo_variants

pytestmark = pytest.mark.model
DEV_SET = Path(__file__).resolve().parent.parent / "data" / "dev_questions"


def test_misspelled_questions_find_what_the_clean_ones_find(shipped_advisor: Advisor) -> None:
    answerable = [q for q in load_questions(DEV_SET) if not q.must_abstain]
    typoed = typo_variants(answerable)
    assert sum(a.question != b.question for a, b in zip(answerable, typoed, strict=True)) > 100
    clean = evaluate(shipped_advisor, answerable, answers=False)
    misspelled = evaluate(shipped_advisor, typoed, answers=False)
    assert misspelled.recall_at_5 >= clean.recall_at_5 - 0.03
    refused_clean = {q.relevant for q in answerable if shipped_advisor.ask(q.question).abstained}
    refused_typoed = {q.relevant for q in typoed if shipped_advisor.ask(q.question).abstained}
    assert refused_typoed <= refused_clean  # a typo never causes a refusal of its own


def test_a_fast_typist_is_answered_and_told_how_it_was_read(shipped_advisor: Advisor) -> None:
    answer = shipped_advisor.ask("how to get utilites and IT to share the fiber netwrok")
    assert not answer.abstained
    assert [(c.typed, c.read_as) for c in answer.corrections] == [
        ("utilites", "utilities"),
        ("netwrok", "network"),
    ]


def test_a_word_no_one_can_read_does_not_make_an_on_topic_question_off_topic(
    shipped_advisor: Advisor,
) -> None:
    # "uitty" is three edits from "utility": no correction, and its word pieces pull the
    # short question's vector away from everything (best cosine 0.26; 0.42 without it)
    answer = shipped_advisor.ask("how do we get the uitty to share pole access")
    assert not answer.abstained
    assert answer.question == "how do we get the uitty to share pole access"  # as typed
    assert answer.citations[0].doc_id in {"funding-cost-sharing", "regional-collaboration"}
    # words no one can read never make a question answerable by themselves
    for question in ("zqxwv blorptang", "anyone got a white chicken chili recipe zqxwvt"):
        assert shipped_advisor.ask(question).abstained, question


def test_a_products_firmware_version_is_too_specific(shipped_advisor: Advisor) -> None:
    answer = shipped_advisor.ask("what firmware version should our Cisco IR1101 routers be on")
    assert answer.abstained and answer.refusal == "too-specific"


@pytest.mark.parametrize(
    "question",
    [
        "how many ALPR cameras does Tacoma have and what does Genetec charge per license",
        "Motorola quoted us for Vigilant LPR - what did other cities pay per camera?",
    ],
)
def test_questions_about_things_the_library_never_names_are_too_specific(
    shipped_advisor: Advisor, question: str
) -> None:
    answer = shipped_advisor.ask(question)
    assert answer.abstained and answer.refusal == "too-specific"
    assert answer.closest_topics  # what the library does cover nearby


def test_off_topic_questions_say_so_without_random_topics(shipped_advisor: Advisor) -> None:
    answer = shipped_advisor.ask("anyone got a white chicken chili recipe for the cookoff")
    assert answer.abstained and answer.refusal == "off-topic"
    assert answer.closest_topics == ()


def test_asking_for_a_detail_the_library_does_not_hold_is_too_specific(
    shipped_advisor: Advisor,
) -> None:
    for question in (
        "whats Flock charging per camera per year these days? need a ballpark",
        "got a direct phone # or email for whoever runs Seattle's surveillance tech reviews?",
        "when is the next Oakland Privacy Advisory Commission meeting?",
    ):
        answer = shipped_advisor.ask(question)
        assert answer.abstained and answer.refusal == "too-specific", question
    # the same kind of question, when the library does hold the detail, is answered
    answer = shipped_advisor.ask("how much did Sprint expect to spend on the KC streetcar Wi-Fi?")
    assert not answer.abstained
    assert answer.citations[0].doc_id == "kansas-city-smart-corridor"
