"""Modal submissions: the "Not helpful" reason and a new commitment from an answer."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App

from bot.answers import buttons
from bot.blocks import modals
from bot.commands.support import Refusal, add_commitment, require_active_user
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn, mention
from checkins.dates import today_in
from storage.errors import StorageError
from storage.models import CommitmentBase, WorkingGroup

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.view(modals.FEEDBACK_CALLBACK)
    def on_feedback(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        reason = modals.state_value(view, modals.REASON)
        log_id = str(view.get("private_metadata", ""))
        if log_id.isdigit():  # stored before the ack: one quick write, well inside 3 s
            buttons.give_feedback(
                services,
                question_log_id=int(log_id),
                user_id=str(body["user"]["id"]),
                helpful=False,
                reason=str(reason) if reason else None,
            )
        ack()

    @app.view(modals.COMMITMENT_CALLBACK)
    def on_commitment(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack(**submit_commitment(services, view=view, user_id=str(body["user"]["id"])))


def _today_for_group(services: Services, group_id: int) -> date:
    """Today in the group's timezone (a date picked in Los Angeles at 5 pm is not past)."""
    with services.session() as session:
        group = session.get(WorkingGroup, group_id)
    zone = group.timezone if group is not None else services.settings.default_timezone
    return today_in(now=services.clock(), timezone=zone)


def submit_commitment(services: Services, *, view: dict[str, Any], user_id: str) -> dict[str, Any]:
    """Create the commitment; the ``ack`` arguments (field errors or a confirmation view)."""
    value = modals.state_value
    due_text, group = value(view, modals.DUE), value(view, modals.GROUP)
    if not due_text or not group:
        return {}  # the no-groups note has no inputs: just close
    due = date.fromisoformat(str(due_text))
    if due < _today_for_group(services, int(group)):
        return {"response_action": "errors", "errors": {modals.DUE[0]: msg.COMMITMENT_DUE_PAST}}
    owner = str(value(view, modals.OWNER) or user_id)
    if owner != user_id:
        try:
            require_active_user(services, owner)
        except Refusal as refusal:
            return {"response_action": "errors", "errors": {modals.OWNER[0]: str(refusal)}}
    draft = CommitmentBase(
        owner_user_id=owner,
        title=str(value(view, modals.TITLE) or "")[: modals.TITLE_LIMIT],
        details=str(value(view, modals.DETAILS) or ""),
        due_date=due,
    )
    metadata = json.loads(view.get("private_metadata") or "{}")
    question_log_id = metadata.get("q")
    try:
        row, _ = add_commitment(
            services,
            draft,
            group_id=int(group),
            created_by=user_id,
            question_log_id=question_log_id,
            citations=buttons.carried_citations(metadata.get("c")),
        )
    except StorageError as exc:
        text = msg.COMMITMENT_FAILED.format(problem=escape_mrkdwn(str(exc)))
        return {"response_action": "update", "view": modals.done_view(text)}
    except Refusal as refusal:  # the database stayed busy
        return {"response_action": "update", "view": modals.done_view(str(refusal))}
    text = msg.COMMITMENT_CREATED.format(
        id=row.id,
        owner=mention(row.owner_user_id),
        due=row.due_date.isoformat(),
        title=escape_mrkdwn(row.title),
    )
    return {"response_action": "update", "view": modals.done_view(text)}
