"""Check-in DM buttons, the "what is blocking" form and the new-group form."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot.answers.buttons import Where, tell, where_clicked
from bot.blocks import checkins as forms
from bot.blocks.checkin_messages import ACTION_BLOCKED, ACTION_SNOOZE, RESPONSE_BY_ACTION
from bot.commands.group_create import FieldRefusal, NewGroup, create_group, created_text
from bot.commands.group_roles import show_map
from bot.commands.support import Refusal
from bot.followup import responses as answers
from bot.listeners.clicks import clicked
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import SlackCallFailed

log = logging.getLogger(__name__)
Body = dict[str, Any]
ANSWERS = re.compile("^(" + "|".join(a for a in RESPONSE_BY_ACTION if a != ACTION_BLOCKED) + ")$")
FORM_FIELDS = {
    "name": forms.G_NAME[0],
    "channel": forms.G_CHANNEL[0],
    "timezone": forms.G_TIMEZONE[0],
    "schedule": forms.G_SCHEDULE[0],
    "topic": forms.G_TOPIC[0],
}


def _field(view: dict[str, Any], ids: tuple[str, str]) -> str:
    block_id, action_id = ids
    field = view.get("state", {}).get("values", {}).get(block_id, {}).get(action_id, {})
    for key in ("value", "selected_conversation", "selected_channel"):
        if field.get(key):
            return str(field[key]).strip()
    return ""


def register(app: App, services: Services) -> None:
    @app.action(ANSWERS)
    def on_answer(ack: Ack, body: Body) -> None:
        ack()
        _on_checkin_button(
            services,
            body,
            lambda checkin_id, user, action_id, where: answers.answer(
                services,
                checkin_id=checkin_id,
                user_id=user,
                response=RESPONSE_BY_ACTION[action_id],
                where=where,
            ),
        )

    @app.action(ACTION_BLOCKED)
    def on_blocked(ack: Ack, body: Body) -> None:
        ack()
        click = clicked(body)
        checkin_id, user = click.id, click.user
        where = where_clicked(body)
        try:
            refusal = (
                msg.CHECKIN_GONE
                if checkin_id is None
                else answers.refusal_for(services, checkin_id, user_id=user)
            )
        except Refusal as error:
            refusal = str(error)
        if refusal or checkin_id is None:
            tell(services, where, refusal)
            return
        view = forms.blocked_modal(
            checkin_id=checkin_id, channel=where.channel_id, ts=where.message_ts or ""
        )
        try:
            services.slack.open_view(trigger_id=str(body.get("trigger_id", "")), view=view)
        except SlackCallFailed as error:
            tell(services, where, msg.SLACK_FAILED.format(code=escape_mrkdwn(error.code)))

    @app.action(ACTION_SNOOZE)
    def on_snooze(ack: Ack, body: Body) -> None:
        ack()
        _on_checkin_button(
            services,
            body,
            lambda checkin_id, user, _action, _where: answers.snooze(
                services, checkin_id=checkin_id, user_id=user
            ),
        )

    @app.view(forms.BLOCKED_CALLBACK)
    def on_blocked_note(ack: Ack, body: Body, view: dict[str, Any]) -> None:
        ack(**submit_blocked(services, view=view, user_id=str(body["user"]["id"])))

    @app.view(forms.GROUP_CALLBACK)
    def on_group_form(ack: Ack, body: Body, view: dict[str, Any]) -> None:
        ack(**submit_group(services, view=view, user_id=str(body["user"]["id"])))


def _on_checkin_button(
    services: Services, body: Body, act: Callable[[int, str, str, Where], str | None]
) -> None:
    """A check-in DM button: ``act(checkin_id, user, action_id, where)``, then tell the
    clicker its note or refusal (nothing when ``None``)."""
    click = clicked(body)
    checkin_id, user, action_id = click.id, click.user, click.action_id
    where = where_clicked(body)
    if checkin_id is None:
        tell(services, where, msg.CHECKIN_GONE)
        return
    try:
        note = act(checkin_id, user, action_id, where)
    except Refusal as error:
        note = str(error)
    tell(services, where, note)


def submit_blocked(services: Services, *, view: dict[str, Any], user_id: str) -> dict[str, Any]:
    """Store the Blocked answer with its note; the ``ack`` arguments."""
    meta = json.loads(view.get("private_metadata") or "{}")
    what, who = _field(view, forms.BLOCKING), _field(view, forms.HELPERS)
    note = msg.BLOCKED_NOTE.format(what=what, who=who) if who else what
    where = Where(str(meta.get("ch", "")), meta.get("ts"), None, False, "")
    try:
        refusal = answers.answer(
            services,
            checkin_id=int(meta.get("c", 0)),
            user_id=user_id,
            response="blocked",
            note=note,
            where=where,
        )
    except Refusal as error:
        refusal = str(error)
    return forms.form_result(refusal or msg.BLOCKED_THANKS, title=msg.BLOCKED_TITLE)


def submit_group(services: Services, *, view: dict[str, Any], user_id: str) -> dict[str, Any]:
    """Create the group from the form; field errors or a confirmation view."""
    new = NewGroup(
        name=_field(view, forms.G_NAME),
        channel_id=_field(view, forms.G_CHANNEL),
        timezone=_field(view, forms.G_TIMEZONE) or services.settings.default_timezone,
        schedule=_field(view, forms.G_SCHEDULE),
        lead_user_id=user_id,
        topic=_field(view, forms.G_TOPIC) or None,
    )
    try:
        group = create_group(services, new)
    except FieldRefusal as error:
        block = FORM_FIELDS.get(error.field, forms.G_NAME[0])
        return {"response_action": "errors", "errors": {block: _plain(str(error))}}
    except Refusal as error:
        return forms.form_result(str(error))
    return forms.form_result(f"{created_text(group)}\n{show_map(services, group)}")


def _plain(text: str) -> str:
    """Field errors are plain text: undo the mrkdwn escaping."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
