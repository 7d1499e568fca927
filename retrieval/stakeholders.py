"""The stakeholder vocabulary (``playbooks/stakeholders.yaml``): ids, labels and aliases.

Playbooks name the parties of each topic in their ``stakeholders:`` front matter with these
ids; ``advisor playbooks validate`` reports any other entry. People name a party in their own
words ("PD", "DoIT", "legal"): ``StakeholderVocabulary.resolve`` maps an id, a label or an
alias to the party. Reading the file never raises for bad content: every problem is a
``Problem`` with the file's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from retrieval.frontmatter import ID_PATTERN, Problem
from retrieval.yaml_files import read_yaml

STAKEHOLDERS_FILE = "stakeholders.yaml"


@dataclass(frozen=True)
class Stakeholder:
    id: str
    label: str
    aliases: tuple[str, ...] = ()


def normalized(name: str) -> str:
    """How names are compared: case-folded, hyphens and runs of spaces as one space."""
    return re.sub(r"[\s_-]+", " ", name.casefold()).strip()


@dataclass(frozen=True)
class StakeholderVocabulary:
    parties: tuple[Stakeholder, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.parties)

    def get(self, stakeholder_id: str) -> Stakeholder | None:
        return next((p for p in self.parties if p.id == stakeholder_id), None)

    def resolve(self, name: str) -> Stakeholder | None:
        """The party ``name`` means (its id, label or an alias, in any case), or None."""
        wanted = normalized(name)
        for party in self.parties:
            if wanted in {normalized(n) for n in (party.id, party.label, *party.aliases)}:
                return party
        return None


def read_stakeholders(root: Path) -> tuple[StakeholderVocabulary | None, list[Problem]]:
    """The vocabulary in ``root/stakeholders.yaml`` (None if absent) and its problems."""
    path = root / STAKEHOLDERS_FILE
    if not path.exists():
        return None, []
    parsed, node, problems = read_yaml(path, STAKEHOLDERS_FILE)
    if problems:
        return None, problems
    entries = parsed.get("stakeholders") if isinstance(parsed, dict) else None
    if not isinstance(entries, dict) or not entries:
        return None, [
            _err(1, "no 'stakeholders:' mapping", "write 'stakeholders:' and one id a line")
        ]
    lines = _entry_lines(node)
    parties: list[Stakeholder] = []
    owner: dict[str, str] = {}  # normalized name -> the id that has it
    for key, value in entries.items():
        line = lines.get(str(key), 1)
        party, problem = _party(str(key), value, line)
        if problem is not None:
            problems.append(problem)
            continue
        assert party is not None
        clash = next(
            (
                n
                for n in (party.id, party.label, *party.aliases)
                if owner.get(normalized(n), party.id) != party.id
            ),
            None,
        )
        if clash is not None:
            problems.append(
                _err(
                    line,
                    f"'{clash}' of '{party.id}' already names '{owner[normalized(clash)]}'",
                    "give each name to one stakeholder",
                )
            )
            continue
        for name in (party.id, party.label, *party.aliases):
            owner[normalized(name)] = party.id
        parties.append(party)
    return StakeholderVocabulary(tuple(parties)), problems


def _party(key: str, value: object, line: int) -> tuple[Stakeholder | None, Problem | None]:
    if not ID_PATTERN.match(key):
        return None, _err(line, f"id '{key}' has characters other than a-z, 0-9, -")
    if not isinstance(value, dict) or not isinstance(value.get("label"), str):
        return None, _err(line, f"'{key}' needs a 'label'", f"write '  {key}:' then '    label: …'")
    aliases = value.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        return None, _err(line, f"'{key}': 'aliases' must be a list of names")
    label = value["label"].strip()
    return Stakeholder(key, label, tuple(a.strip() for a in aliases)), None


def _entry_lines(node: yaml.Node | None) -> dict[str, int]:
    """Each stakeholder id's 1-based line in the file."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key, value in node.value:
        named = isinstance(key, yaml.ScalarNode) and key.value == "stakeholders"
        if named and isinstance(value, yaml.MappingNode):
            return {
                str(k.value): k.start_mark.line + 1
                for k, _ in value.value
                if isinstance(k, yaml.ScalarNode)
            }
    return {}


def _err(line: int, message: str, fix: str = "") -> Problem:
    return Problem(STAKEHOLDERS_FILE, line, "error", message, fix)
