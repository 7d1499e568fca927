"""The "whom do you represent" picker's submission (``bot.commands.group_roles``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.checkins import form_result
from bot.blocks.stakeholders import ROLE_CALLBACK, picked_role
from bot.commands.group_roles import submit_role
from bot.commands.support import Refusal
from bot.services import Services
from bot.slack import messages as msg


def register(app: App, services: Services) -> None:
    @app.view(ROLE_CALLBACK)
    def on_role_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        group_id, party = picked_role(view)
        if group_id is None or not party:
            ack(**form_result(msg.USAGE_GROUP_JOIN_AS, title=msg.ROLE_PICKER_TITLE[:24]))
            return
        try:
            text = submit_role(
                services, group_id=group_id, party_id=party, user_id=str(body["user"]["id"])
            )
        except Refusal as error:
            text = str(error)
        ack(**form_result(text, title=msg.ROLE_PICKER_TITLE[:24]))
