"""The stakeholder map (issue 14): who the library recommends for a topic, who is missing,
and each missing party's motive quoted with its citation; plain refusals otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.documents import load_corpus
from retrieval.engine import Advisor, SearchOptions
from retrieval.index import build_index
from retrieval.stakeholder_map import build_stakeholder_map, motive_items, parties_named
from retrieval.stakeholders import StakeholderVocabulary, read_stakeholders
from tests.bot.stakeholders.conftest import THRESHOLD, write_map_corpus
from tests.conftest import SHIPPED_PLAYBOOKS
from tests.fakes.embedder import HashEmbedder


@pytest.fixture(scope="module")
def parties() -> StakeholderVocabulary:
    found, problems = read_stakeholders(SHIPPED_PLAYBOOKS)
    assert found is not None and problems == []
    return found


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("The city attorney", {"city-attorney"}),
        ("IT and the information security office", {"it"}),
        ("Records management or the city clerk:", {"records-management"}),
        ("Residents and civil-liberties groups", {"residents", "community-groups"}),
        ("Utilities (city-owned or private):", {"utilities"}),
        ("The Police Department", {"police"}),
        ("Public records law.", set()),  # an alias inside a longer phrase names nobody
        ("Sponsoring department (transportation, public works)", set()),
    ],
)
def test_bold_leads_name_parties_by_id_label_or_alias(
    parties: StakeholderVocabulary, lead: str, expected: set[str]
) -> None:
    assert parties_named(lead, parties) == expected


def test_motive_items_are_list_items_with_a_party_in_bold(parties: StakeholderVocabulary) -> None:
    text = (
        "Each party's position is reasonable.\n\n"
        "- **Police** want footage kept longer.\n"
        "- **Council:** wants no surprises.\n"
        "- **Litigation holds.** Preserve footage once a suit is likely.\n"
        "Police also said **IT** pays."
    )
    assert motive_items(text, parties) == [
        ({"police"}, "want footage kept longer."),
        ({"council"}, "wants no surprises."),
    ]


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Advisor, StakeholderVocabulary]:
    root = write_map_corpus(tmp_path_factory.mktemp("map") / "playbooks")
    index, _ = build_index(load_corpus(root), HashEmbedder(), root.parent / "index")
    vocabulary, _ = read_stakeholders(root)
    assert vocabulary is not None
    return Advisor(index, HashEmbedder(), SearchOptions()), vocabulary


def test_the_map_changes_as_members_join(
    small_engine: tuple[Advisor, StakeholderVocabulary],
) -> None:
    engine, vocabulary = small_engine

    def drawn(members: list[tuple[str, str | None]]) -> list[str]:
        found = build_stakeholder_map(
            engine,
            topic="camera footage retention",
            vocabulary=vocabulary,
            members=members,
            threshold=THRESHOLD,
        )
        assert found.status == "ok"
        return [e.id for e in found.missing]

    everyone = ["police", "it", "city-attorney", "records-management", "residents"]
    assert sorted(drawn([("U1", None)])) == sorted(everyone)
    assert "police" not in drawn([("U1", "police")])
    assert sorted(drawn([("U1", "police"), ("U2", "it"), ("U3", "residents")])) == [
        "city-attorney",
        "records-management",
    ]
    assert drawn([(f"U{i}", party) for i, party in enumerate(everyone)]) == []


def test_no_topic_or_nothing_in_the_library_is_said_plainly(
    small_engine: tuple[Advisor, StakeholderVocabulary],
) -> None:
    engine, vocabulary = small_engine
    common = {"vocabulary": vocabulary, "members": [("U1", "police")], "threshold": THRESHOLD}
    assert build_stakeholder_map(engine, topic="  ", **common).status == "no-topic"  # type: ignore[arg-type]
    nothing = build_stakeholder_map(engine, topic="zzqx flurb", **common)  # type: ignore[arg-type]
    assert (nothing.status, nothing.entries, nothing.citations) == ("nothing-found", (), ())


@pytest.mark.model
def test_camera_footage_retention_group_misses_the_city_attorney_and_records_management(
    shipped_advisor: Advisor, parties: StakeholderVocabulary
) -> None:
    """The issue's "done when", on the shipped playbooks with the real model."""
    found = build_stakeholder_map(
        shipped_advisor,
        topic="camera footage retention",
        vocabulary=parties,
        members=[("UPD", "police"), ("UIT", "it"), ("URES", "residents")],
        threshold=shipped_advisor.options.abstain_threshold,
    )
    assert found.status == "ok"
    assert found.sources[0] == "Agreeing on camera and sensor footage retention"
    assert {e.id: e.members for e in found.represented} == {
        "police": ("UPD",),
        "it": ("UIT",),
        "residents": ("URES",),
    }
    missing = {e.id: e for e in found.missing}
    assert {"city-attorney", "records-management"} <= set(missing)
    for party, words in (
        ("city-attorney", "worries about destroying footage that must be preserved"),
        ("records-management", "must follow the approved retention schedule"),
    ):
        entry = missing[party]
        assert entry.motive is not None and entry.motive.startswith(words)
        cited = found.citations[(entry.citation or 0) - 1]
        assert (cited.path, cited.section) == (
            "guides/camera-footage-retention.md",
            "Why this fight happens",
        )
    off_topic = build_stakeholder_map(
        shipped_advisor,
        topic="pizza toppings for the office party",
        vocabulary=parties,
        members=[],
        threshold=shipped_advisor.options.abstain_threshold,
    )
    assert off_topic.status == "nothing-found"


def test_a_document_without_stakeholders_adds_nobody(tmp_path: Path) -> None:
    root = write_map_corpus(tmp_path / "playbooks")
    (root / "guides" / "bike-lanes.md").unlink()
    index, _ = build_index(load_corpus(root), HashEmbedder(), tmp_path / "index")
    vocabulary, _ = read_stakeholders(root)
    assert vocabulary is not None
    engine = Advisor(index, HashEmbedder(), SearchOptions())
    found = build_stakeholder_map(
        engine, topic="bike lane budgets", vocabulary=vocabulary, members=[], threshold=THRESHOLD
    )
    assert found.status == "nothing-found"
