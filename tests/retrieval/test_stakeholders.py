"""The stakeholder vocabulary (issue 14, item 1, in part): ids, labels and aliases; playbooks'
``stakeholders:`` entries must use its ids; a broken vocabulary is named line by line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from retrieval.stakeholders import read_stakeholders
from retrieval.validation import validate_corpus
from tests.conftest import SHIPPED_PLAYBOOKS
from tests.fakes.corpus import PLAYBOOK_FRONT, write_doc

TODAY = date(2026, 6, 1)


def test_the_shipped_vocabulary_names_every_party_the_playbooks_use() -> None:
    parties, problems = read_stakeholders(SHIPPED_PLAYBOOKS)
    assert problems == []
    assert parties is not None
    used = {
        name
        for doc in validate_corpus(SHIPPED_PLAYBOOKS, today=TODAY).documents
        for name in doc.stakeholders
    }
    assert used and used <= parties.ids
    assert parties.get("city-attorney") is not None
    assert parties.get("city-attorney").label == "City attorney"  # type: ignore[union-attr]


def test_people_can_name_a_party_in_their_own_words() -> None:
    parties, _ = read_stakeholders(SHIPPED_PLAYBOOKS)
    assert parties is not None
    said = {
        "PD": "police",
        "DoIT": "it",
        "legal": "city-attorney",
        "Records Manager": "records-management",
        "City-Attorney": "city-attorney",
        "city  attorney": "city-attorney",
        "IT Department": "it",
    }
    for name, expected in said.items():
        party = parties.resolve(name)
        assert party is not None and party.id == expected, name
    assert parties.resolve("the mayor's cousin") is None


def test_a_playbook_naming_a_party_outside_the_vocabulary_is_an_error_at_its_line(
    corpus_dir: Path,
) -> None:
    (corpus_dir / "stakeholders.yaml").write_text(
        "stakeholders:\n  police:\n    label: Police department\n    aliases: [pd]\n"
        "  residents:\n    label: Residents\n"
    )
    write_doc(
        corpus_dir,
        "guides/drones.md",
        PLAYBOOK_FRONT.format(title="Drones", tags="privacy") + "stakeholders: [PD, mayor]\n",
        "Body text.\n",
    )
    problems = {
        p.message: p
        for p in validate_corpus(corpus_dir, today=TODAY).errors
        if p.path == "guides/drones.md"
    }
    alias = problems["stakeholder 'PD' is not in stakeholders.yaml"]
    assert alias.line == 7 and alias.fix == "write 'police' (the id for Police department)"
    unknown = problems["stakeholder 'mayor' is not in stakeholders.yaml"]
    assert "use one of: police, residents" in unknown.fix


def test_a_broken_vocabulary_is_named_line_by_line_and_the_good_entries_load(
    tmp_path: Path,
) -> None:
    (tmp_path / "stakeholders.yaml").write_text(
        "stakeholders:\n"
        "  police:\n    label: Police department\n    aliases: [pd, legal]\n"  # line 2
        "  city-attorney:\n    label: City attorney\n    aliases: [legal]\n"  # line 5: clash
        "  Bad_Id:\n    label: x\n"  # line 8
        "  vendors:\n    aliases: [vendor]\n"  # line 10: no label
    )
    parties, problems = read_stakeholders(tmp_path)
    assert parties is not None and parties.ids == {"police"}
    assert [(p.line, p.message) for p in problems] == [
        (5, "'legal' of 'city-attorney' already names 'police'"),
        (8, "id 'Bad_Id' has characters other than a-z, 0-9, -"),
        (10, "'vendors' needs a 'label'"),
    ]


def test_an_unreadable_vocabulary_is_one_problem_not_a_traceback(tmp_path: Path) -> None:
    for content, line, message in (
        (b"stakeholders:\n  police:\n    label: P\x00D\n", 3, "file contains a NUL byte"),
        (b"stakeholders: [unclosed\n", 2, "not valid YAML"),
        (b"- a list\n", 1, "no 'stakeholders:' mapping"),
    ):
        (tmp_path / "stakeholders.yaml").write_bytes(content)
        parties, problems = read_stakeholders(tmp_path)
        assert parties is None
        ((found_line, found_message),) = [(p.line, p.message) for p in problems]
        assert found_line == line and found_message.startswith(message), content
