"""The stakeholder map as mrkdwn: pure, no I/O. Document text and topics are escaped.

``map_text`` is what ``group show``, group creation, a topic change and App Home show:
who is represented (by whom), who is missing with the motive the library gives and its
citation number, then the numbered sources (``bot.blocks.answer.source_line``).
"""

from __future__ import annotations

import json
from typing import Any

from bot.blocks.answer import source_line
from bot.blocks.checkin_messages import who
from bot.blocks.layout import plain, sections, truncate
from bot.blocks.modals import input_block, modal_view
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from retrieval.stakeholder_map import StakeholderMap
from retrieval.stakeholders import StakeholderVocabulary

ROLE_CALLBACK = "group_role"
ROLE_PICK = ("role", "role_select")


def map_text(found: StakeholderMap, *, group_name: str) -> str:
    """The whole map, or the plain sentence saying why there is none."""
    name = escape_mrkdwn(group_name)
    if found.status == "no-topic":
        return msg.MAP_NO_TOPIC.format(name=name)
    if found.status == "no-index":
        return msg.MAP_NO_INDEX
    topic = escape_mrkdwn(found.topic or "")
    if found.status == "nothing-found":
        return msg.MAP_NOTHING.format(topic=topic)
    lines = [msg.MAP_HEADER.format(topic=topic), _represented(found)]
    if found.missing:
        lines.append(msg.MAP_MISSING)
        lines += [
            _missing_line(entry.label, entry.motive, entry.citation) for entry in found.missing
        ]
    else:
        lines.append(msg.MAP_ALL_THERE)
    if found.other_members:
        others = ", ".join(
            f"{escape_mrkdwn(label)} ({who(user)})" for user, label in found.other_members
        )
        lines.append(msg.MAP_OTHERS.format(parties=others))
    if found.no_role:
        users = ", ".join(who(user) for user in found.no_role)
        lines.append(msg.MAP_NO_ROLE.format(users=users, name=name))
    lines += [source_line(citation) for citation in found.citations]
    return "\n".join(lines)


def _represented(found: StakeholderMap) -> str:
    if not found.represented:
        return msg.MAP_NONE_REPRESENTED
    parties = ", ".join(
        msg.MAP_REPRESENTED_BY.format(
            label=escape_mrkdwn(entry.label), users=", ".join(who(u) for u in entry.members)
        )
        for entry in found.represented
    )
    return msg.MAP_REPRESENTED.format(parties=parties)


def _missing_line(label: str, motive: str | None, citation: int | None) -> str:
    said = f"{escape_mrkdwn(motive)} [{citation}]" if motive and citation else msg.MAP_NO_MOTIVE
    return msg.MAP_MISSING_LINE.format(label=escape_mrkdwn(label), motive=said)


def missing_line(labels: list[str]) -> str:
    """The digest's one line: "Still missing from the table: City attorney, …"."""
    return msg.DIGEST_MISSING.format(parties=", ".join(escape_mrkdwn(label) for label in labels))


def role_modal(*, group_id: int, group_name: str, parties: StakeholderVocabulary) -> dict[str, Any]:
    """The form with a picker of every party in the vocabulary (Slack allows 100 options)."""
    options = [{"text": plain(truncate(p.label, 75)), "value": p.id} for p in parties.parties[:100]]
    element = {
        "type": "static_select",
        "options": options,
        "placeholder": plain(msg.ROLE_PICKER_LABEL),
    }
    blocks = [
        *sections(f"*{escape_mrkdwn(group_name)}*: {msg.ROLE_PICKER_HINT}"),
        input_block(ROLE_PICK, msg.ROLE_PICKER_LABEL, element),
    ]
    return modal_view(
        ROLE_CALLBACK,
        msg.ROLE_PICKER_TITLE,
        blocks,
        submit=plain(msg.SUBMIT),
        private_metadata=json.dumps({"g": group_id}),
    )


def picked_role(view: dict[str, Any]) -> tuple[int | None, str]:
    """The group id and the party picked in a submitted ``role_modal``."""
    meta = json.loads(view.get("private_metadata") or "{}")
    block_id, action_id = ROLE_PICK
    field = view.get("state", {}).get("values", {}).get(block_id, {}).get(action_id, {})
    picked = (field.get("selected_option") or {}).get("value") or ""
    group_id = meta.get("g")
    return (group_id if isinstance(group_id, int) else None), str(picked)
