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


def test_a_hyphenated_name_is_judged_by_its_parts() -> None:
    # a known name with an ordinary word ("ALPR-equipped") is known; an unknown part is not
    assert unknown_names("the new ALPR-equipped cars", VOCABULARY) == ()
    assert unknown_names("the new NYPD-style law", VOCABULARY, known={"nypd"}) == ()
    assert unknown_names("the new Genetec-branded cameras", VOCABULARY) == ("genetec-branded",)
    assert unknown_names("what about the Seattle-Tacoma pact", VOCABULARY) == ("seattle-tacoma",)


def test_the_rule_and_the_kind_of_refusal() -> None:
    assert Signals(0.2, ()).refuses(0.356) and Signals(0.2, ()).kind == "off-topic"
    assert Signals(0.5, ("tacoma", "genetec")).refuses(0.356)
    assert Signals(0.5, ("tacoma", "genetec")).kind == "too-specific"
    assert not Signals(0.5, ("tacoma",)).refuses(0.356)


CAMERA_GUIDE = (
    "Start with a short default retention period of 30 days with automatic deletion. "
    "The records officer approves each hold within 5 business days."
)
COSTED_CASE = "Sprint said it expected to spend about $7 million on the network in 2015."


def test_a_detail_asked_for_and_absent_from_the_best_passages_is_missing() -> None:
    from retrieval.refusal import missing_details

    asks = {
        "whats Flock charging per camera per year these days?": "a price or fee",
        "what's the fee for a tree removal permit?": "a price or fee",
        "got a direct phone # or email for the person who runs reviews?": (
            "a phone number or email"
        ),
        "What time does the council meeting start on Tuesday?": "a time or date",
        "what section of Colorado law covers drone footage": "a section of a law",
        "which Minnesota statute section says how long plate data is kept": "a section of a law",
        "what city code section covers drones?": "a section of a law",
        "which model numbers are on the FCC covered list?": "a model number",
        "what firmware version should our Cisco IR1101 routers be on": "a version",
        "latest software release version for the parking meters?": "a version",
        "how much did Columbus put in its 2025 budget for the projects?": "that year",
    }
    for question, kind in asks.items():
        assert kind in missing_details(question, [CAMERA_GUIDE]), question


def test_a_detail_the_passages_state_is_not_missing() -> None:
    from retrieval.refusal import missing_details

    assert missing_details("how much did Sprint spend in 2015 on the Wi-Fi?", [COSTED_CASE]) == ()
    assert missing_details("what's the deadline for approving a hold?", [CAMERA_GUIDE]) == ()
    assert (
        missing_details(
            "which firmware version should the controllers run?",
            ["Controllers should run firmware version 4.2 or later."],
        )
        == ()
    )


def test_mentioning_a_topic_is_not_asking_for_the_detail() -> None:
    from retrieval.refusal import missing_details

    for question in (
        "how do we split the cost of shared cyber tools fairly?",
        "how should voting and cost sharing be set up across the region?",
        "ransomware hit the traffic cams, who do i call first?",
        "how much human sign-off is enough before a risk model goes live?",
        "what did SF's 2019 ban on facial recognition cover?",  # a year, not "in 2019"
        "which sections of the ordinance do residents read first?",  # no law's section asked
        "how do we keep firmware up to date on the sensors?",  # no version asked
        "is the vendor's version of events credible?",
    ):
        assert missing_details(question, [CAMERA_GUIDE]) == (), question


def test_a_missing_detail_refuses_as_too_specific() -> None:
    signals = Signals(0.6, (), ("a price or fee",))
    assert signals.refuses(0.356) and signals.kind == "too-specific"


def test_a_detail_counts_only_in_a_sentence_about_the_questions_subject() -> None:
    """An amount elsewhere in the passage (the software's price) does not state the fee
    asked about; names ("Detroit") do not make a sentence about the subject."""
    from retrieval.refusal import missing_details

    passage = (
        "Participating businesses pay for cameras and send live video to the police. "
        "Detroit police acquired facial recognition software in 2017 for about $1 million."
    )
    question = "what does it cost a gas station to join Detroit's Green Light, the monthly fee?"
    assert missing_details(question, [passage]) == ("a price or fee",)
    priced = passage + " Each business pays a monthly fee of about $150 for the camera link."
    assert missing_details(question, [priced]) == ()
