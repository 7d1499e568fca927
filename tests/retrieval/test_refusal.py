"""Refusals: unknown names in the question, and the kind of refusal."""

from __future__ import annotations

from retrieval.refusal import Signals, unknown_names

VOCABULARY = {"cameras": 3, "camera": 4, "seattle": 2, "license": 2, "alpr": 2, "cisco": 1}


def test_names_the_library_never_uses_are_found() -> None:
    question = "how many ALPR cameras does Tacoma have and what does Genetec charge per license"
    assert unknown_names(question, VOCABULARY) == ("tacoma", "genetec")
    assert unknown_names("what firmware should Cisco IR1101 routers run", VOCABULARY) == ("ir1101",)


def test_ordinary_words_openers_short_acronyms_and_known_names_are_not_unknown() -> None:
    assert unknown_names("Preemptively banning cameras in Seattle", VOCABULARY) == ()
    assert unknown_names("what did SF and the PD do", VOCABULARY) == ()  # too short to tell
    assert unknown_names("in 2019 the Camera program", VOCABULARY) == ()


def test_the_rule_and_the_kind_of_refusal() -> None:
    assert Signals(0.2, ()).refuses(0.356) and Signals(0.2, ()).kind == "off-topic"
    assert Signals(0.5, ("tacoma", "genetec")).refuses(0.356)
    assert Signals(0.5, ("tacoma", "genetec")).kind == "too-specific"
    assert not Signals(0.5, ("tacoma",)).refuses(0.356)
