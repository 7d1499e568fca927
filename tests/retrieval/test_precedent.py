"""Which questions ask for a precedent (what another city did), as opposed to practice."""

from __future__ import annotations

import pytest

from retrieval.precedent import asks_for_precedent


@pytest.mark.parametrize(
    "question",
    [
        "has any city put its parking data in an open portal?",
        "Did another county try a sunset clause on its drone program",
        "is there a town that pays residents for sensor data",
        "which cities publish their camera locations",
        "has anyone tied a streetlight contract to energy savings",
        "any precedent for a vendor walking away mid-contract?",
        "examples of a privacy board with subpoena power",
        "lessons from a transit agency's data breach",
        "who did open data for 911 calls first",
        "what happened when a council voted down a pilot",
    ],
)
def test_questions_about_what_others_did_ask_for_a_precedent(question: str) -> None:
    assert asks_for_precedent(question)


@pytest.mark.parametrize(
    "question",
    [
        "what should go in our working group charter",
        "how long should we keep footage",
        "how do other cities pay for the network after the grant",  # common practice
        "does the sensor pilot need a privacy review first",
        "who should sign off on the data sharing agreement",
        "",
    ],
)
def test_questions_about_practice_do_not(question: str) -> None:
    assert not asks_for_precedent(question)
