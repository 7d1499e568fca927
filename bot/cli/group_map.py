"""``advisor groups show NAME [--json]``: a group's topic, members and stakeholder map.

The map is drawn by the same code as in Slack (``bot.stakeholders.mapping.draw_map``) from
the index the settings name (built or refreshed first, like ``advisor ask``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from bot.cli.context import embedder_of
from bot.settings import Settings
from bot.stakeholders.mapping import draw_map, vocabulary
from retrieval.stakeholder_map import StakeholderMap
from storage.models import Membership, WorkingGroup

PLAIN = {
    "no-topic": "No stakeholder map: the group has no topic (set one in Slack: "
    '/advisor group topic NAME "<topic>").',
    "nothing-found": "The playbooks have nothing on this topic, so there is no map.",
    "no-index": "No stakeholder map: the playbook index or stakeholders.yaml is missing.",
}


def group_map_of(
    ctx: typer.Context, settings: Settings, group: WorkingGroup, members: Sequence[Membership]
) -> StakeholderMap:
    from bot.answers.setup import open_advisor  # late: loads the model

    advisor, _report, _corpus = open_advisor(settings, embedder=embedder_of(ctx, settings))
    return draw_map(advisor, settings, group=group, members=members)


def report_json(
    settings: Settings, group: WorkingGroup, members: Sequence[Membership], found: StakeholderMap
) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "channel_id": group.channel_id,
        "lead_user_id": group.lead_user_id,
        "topic": group.topic,
        "members": [
            {"user_id": m.user_id, "role": m.role, "stakeholder": m.stakeholder} for m in members
        ],
        "map": found.to_dict(),
    }


def report_text(
    settings: Settings, group: WorkingGroup, members: Sequence[Membership], found: StakeholderMap
) -> str:
    parties = vocabulary(settings)

    def label(party: str | None) -> str:
        known = parties.get(party) if parties is not None and party else None
        return known.label if known is not None else (party or "(no stakeholder given)")

    lines = [f"{group.name} (lead {group.lead_user_id}, channel {group.channel_id})"]
    lines.append(f"Topic: {group.topic or '(none)'}")
    lines.append("Members:")
    lines += [f"  {m.user_id} ({m.role}): {label(m.stakeholder)}" for m in members]
    if found.status != "ok":
        lines.append(PLAIN[found.status])
        return "\n".join(lines)
    lines.append("Represented:")
    lines += [f"  {e.label}: {', '.join(e.members)}" for e in found.represented] or ["  (nobody)"]
    lines.append("Missing:")
    for entry in found.missing:
        motive = (
            f"{entry.motive} [{entry.citation}]" if entry.motive else "(no motive in the playbooks)"
        )
        lines.append(f"  {entry.label}: {motive}")
    if not found.missing:
        lines.append("  (nobody: every stakeholder the playbooks name is represented)")
    lines.append("Sources:")
    for citation in found.citations:
        where = citation.url or citation.path
        lines.append(f"  [{citation.number}] {citation.label} ({where})")
    return "\n".join(lines)
