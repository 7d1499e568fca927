"""Each junk rule, on the patterns found in real answers, and on sentences that must pass."""

from __future__ import annotations

import pytest

from retrieval.junk import answer_junk, junk_reason, leans_back


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            'For deputy CIOs and program managers whose pilot "worked" and now need to scale it.',
            "audience line",
        ),
        (
            "This playbook is for the program manager asked to pull the departments together.",
            "describes the file",
        ),
        (
            "Condensed from the city's 2019 annual surveillance report and news coverage.",
            "describes the file",
        ),
        ("Carrying the pilot's privacy review forward.", "fragment"),
        ("Carrying forward.", "fragment"),
        ("a summary of community complaints;", "list debris"),
        ("a summary of community complaints and what changed.", "list debris"),
        ("See Community engagement and trust for the full approach.", "cross-reference"),
        (
            "The camera footage retention playbook covers the holds and public-records questions in detail.",
            "describes the file",
        ),
        ("Federal grants are built around this transition.", "leans on text not shown"),
        (
            "These records must be kept for two years after the case closes.",
            "leans on text not shown",
        ),
        (
            "Ambiguity here is the most common reason working groups fail.",
            "leans on text not shown",
        ),
        (
            "Programs like it show how a camera network can become a focal point for distrust.",
            "leans on text not shown",
        ),
        ("Ordinances like these take a year to pass.", "leans on text not shown"),
        (
            "Everyone else, including police and the vendor, refers questions to that person.",
            "leans on text not shown",
        ),
        ("The cost of that process is real.", "leans on text not shown"),
        (  # the pronoun is the participle's subject too: it names someone said before
            "Drawing on interviews with city officials, they describe smart cities as systems.",
            "leans on text not shown",
        ),
        ("After the vote, he ended the program within a month.", "leans on text not shown"),
        ("Who can override it, and how often do they?", "question"),
        ("| Lead | Scope | Decides the budget and the timeline |", "markdown debris"),
        ("Use **short** defaults for every camera in the network.", "markdown debris"),
        ("Ask every department to report each tool in scope", "fragment"),
    ],
)
def test_junk_patterns_are_flagged(text: str, reason: str) -> None:
    assert junk_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "Agree on a short default retention period that deletes automatically.",
        "In May 2019 San Francisco's Board of Supervisors passed the Stop Secret Surveillance Ordinance.",
        "Set a seat size that can still decide: eight to twelve voting members works better than twenty.",
        "There is no federal rule that sets a retention period for city cameras.",
        "Helsinki launched its register with five low-risk tools such as chatbots.",
        "Cities like Seattle and Oakland require a council vote before a new use.",
        "Residents like it when the city reports back within a month.",
        "Police asked for a new data set, and this data set was then shared with the county.",
        "Reviewing the policy every year is required by the ordinance.",
        "Evidentiary hold — Who can do it: Police investigator; Required record: Case number.",
        # "that" as a conjunction or a relative pronoun, or naming what the sentence said
        "Studies found that people near the cameras felt watched.",
        "Prefer devices that process on the device and send only counts.",
        "A vendor donates a pilot, and the only option left is a contract with that vendor.",
        # a fronted clause with its own subject, or a subject that is not a pronoun
        "When residents complained, they were told to file a public records request.",
        "Drawing on interviews with officials, the authors describe smart cities as systems.",
        "In practice, it is hard to delete footage that a case may need.",
    ],
)
def test_good_sentences_pass(text: str) -> None:
    assert junk_reason(text) is None


def test_a_dependent_sentence_is_fine_right_after_its_lead_in() -> None:
    assert leans_back("These records must be kept for two years.")
    assert junk_reason("These records must be kept for two years.", standalone=False) is None
    together = "Hold records name the case. These records must be kept for two years."
    assert answer_junk([together]) == []
    assert answer_junk(
        ["These records must be kept for two years. Holds name the case number."]
    ) == [("These records must be kept for two years.", "leans on text not shown")]
