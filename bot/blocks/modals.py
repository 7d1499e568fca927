"""Modal views: the "Not helpful" reason and the commitment prefilled from an answer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.blocks.layout import Block, plain, sections, truncate
from bot.slack import messages as msg

FEEDBACK_CALLBACK = "feedback_reason"
COMMITMENT_CALLBACK = "commitment_create"
REASON = ("reason", "reason_input")
TITLE = ("title", "title_input")
DETAILS = ("details", "details_input")
GROUP = ("group", "group_select")
OWNER = ("owner", "owner_select")
DUE = ("due", "due_picker")
TITLE_LIMIT = 200
DETAILS_LIMIT = 3000


def modal_view(callback_id: str, title: str, blocks: list[Block], **extra: Any) -> dict[str, Any]:
    """A modal with a Cancel button; ``extra`` adds ``submit``, ``private_metadata`` …"""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(truncate(title, 24)),
        "close": plain(msg.CANCEL),
        "blocks": blocks,
    }
    view.update(extra)
    return view


def input_block(
    ids: tuple[str, str], label: str, element: Block, *, optional: bool = False
) -> Block:
    """An input block; ``ids`` are its ``block_id`` and its element's ``action_id``."""
    block_id, action_id = ids
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": {**element, "action_id": action_id},
    }


def feedback_modal(question_log_id: int) -> dict[str, Any]:
    element = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": 2000,
        "placeholder": plain(msg.FEEDBACK_PLACEHOLDER),
    }
    blocks = [input_block(REASON, msg.FEEDBACK_PROMPT, element, optional=True)]
    return modal_view(
        FEEDBACK_CALLBACK,
        msg.FEEDBACK_TITLE,
        blocks,
        submit=plain(msg.SUBMIT),
        private_metadata=str(question_log_id),
    )


@dataclass(frozen=True)
class CommitmentDraft:
    """What the modal is prefilled with (plain text: inputs show it literally)."""

    question_log_id: int | None
    title: str
    details: str
    owner_user_id: str
    due: date
    citations: tuple[dict[str, str], ...] = ()  # the answer's cited sections (issue 14)


def commitment_modal(draft: CommitmentDraft, groups: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """The commitment form, or a note saying a working group is needed first."""
    if not groups:
        return modal_view(COMMITMENT_CALLBACK, msg.COMMITMENT_TITLE, sections(msg.NO_GROUPS))
    options = [
        {"text": plain(truncate(name, 75)), "value": str(group_id)} for group_id, name in groups
    ]
    title = {
        "type": "plain_text_input",
        "max_length": TITLE_LIMIT,
        "initial_value": truncate(draft.title, TITLE_LIMIT),
    }
    details = {
        "type": "plain_text_input",
        "multiline": True,
        "initial_value": truncate(draft.details, DETAILS_LIMIT),
    }
    group = {"type": "static_select", "options": options[:100], "initial_option": options[0]}
    owner = {"type": "users_select", "initial_user": draft.owner_user_id}
    due = {"type": "datepicker", "initial_date": draft.due.isoformat()}
    blocks = [
        input_block(TITLE, msg.COMMITMENT_WHAT, title),
        input_block(DETAILS, msg.COMMITMENT_DETAILS, details, optional=True),
        input_block(GROUP, msg.COMMITMENT_GROUP, group),
        input_block(OWNER, msg.COMMITMENT_OWNER, owner),
        input_block(DUE, msg.COMMITMENT_DUE, due),
    ]
    metadata = json.dumps({"q": draft.question_log_id, "c": list(draft.citations)})
    return modal_view(
        COMMITMENT_CALLBACK,
        msg.COMMITMENT_TITLE,
        blocks,
        submit=plain(msg.COMMITMENT_SUBMIT),
        private_metadata=metadata,
    )


def done_view(text: str) -> dict[str, Any]:
    """A closing view (``response_action: update``) confirming what happened."""
    return modal_view("advisor_done", msg.COMMITMENT_TITLE, sections(text))


def state_value(view: dict[str, Any], ids: tuple[str, str]) -> Any:
    """The submitted value of one input: text, selected option value, user or date."""
    block_id, action_id = ids
    field = view.get("state", {}).get("values", {}).get(block_id, {}).get(action_id, {})
    if "selected_option" in field:
        return (field.get("selected_option") or {}).get("value")
    for key in ("value", "selected_user", "selected_date"):
        if key in field:
            return field[key]
    return None
