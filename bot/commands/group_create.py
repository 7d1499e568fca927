"""``/advisor group create`` and the new-group form: validate, store, confirm.

``create_group`` is shared by the command (``on_create``) and the form's submission
(``bot.listeners.checkins``); a bad field raises ``FieldRefusal`` naming the form field.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.blocks.checkin_messages import who
from bot.blocks.checkins import channel_ref, group_create_modal
from bot.commands.args import parse_group_create
from bot.commands.group_roles import show_map
from bot.commands.request import CommandRequest, reply
from bot.commands.support import Refusal, db, require_live_channel, resync_scheduler
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import SlackCallFailed
from checkins.errors import InvalidSchedule
from checkins.schedule import parse_schedule
from storage import groups as store
from storage.errors import DuplicateGroup
from storage.models import WorkingGroup, WorkingGroupBase
from storage.roles import TOPIC_LIMIT

DEFAULT_SCHEDULE = "mon 09:00"
NAME_LIMIT = 80


class FieldRefusal(Refusal):
    """A refusal about one field of the new-group form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewGroup:
    name: str
    channel_id: str
    timezone: str
    schedule: str
    lead_user_id: str
    topic: str | None = None


def check_schedule(spec: str, timezone: str, *, field: str = "schedule") -> None:
    try:
        parse_schedule(spec, timezone=timezone)
    except InvalidSchedule as error:
        raise FieldRefusal(field, escape_mrkdwn(str(error))) from error


def create_group(services: Services, new: NewGroup) -> WorkingGroup:
    """Validate and store a group (its lead is the caller); ``FieldRefusal`` on bad input."""
    name = " ".join(new.name.split())
    if not name:
        raise FieldRefusal("name", msg.USAGE_GROUP_CREATE)
    if len(name) > NAME_LIMIT:
        raise FieldRefusal(
            "name", msg.GROUP_NAME_TOO_LONG.format(length=len(name), limit=NAME_LIMIT)
        )
    try:
        parse_schedule(DEFAULT_SCHEDULE, timezone=new.timezone)
    except InvalidSchedule as error:
        raise FieldRefusal("timezone", escape_mrkdwn(str(error))) from error
    check_schedule(new.schedule, new.timezone)
    topic = " ".join((new.topic or "").split()) or None
    if topic is not None and len(topic) > TOPIC_LIMIT:
        raise FieldRefusal(
            "topic", msg.GROUP_TOPIC_LONG.format(length=len(topic), limit=TOPIC_LIMIT)
        )
    try:
        require_live_channel(services, new.channel_id)
    except Refusal as error:
        raise FieldRefusal("channel", str(error)) from error
    base = WorkingGroupBase(
        name=name,
        channel_id=new.channel_id,
        lead_user_id=new.lead_user_id,
        timezone=new.timezone,
        checkin_schedule=new.schedule,
        topic=topic,
    )
    try:
        group = db(
            services,
            lambda s: store.create_group(s, group=base, now=services.clock()),
            what="create group",
        )
    except DuplicateGroup as error:
        raise FieldRefusal("name", msg.GROUP_TAKEN.format(name=escape_mrkdwn(name))) from error
    resync_scheduler()
    return group


def created_text(group: WorkingGroup) -> str:
    return msg.GROUP_CREATED.format(
        name=escape_mrkdwn(group.name),
        channel=channel_ref(group.channel_id),
        lead=who(group.lead_user_id),
        schedule=escape_mrkdwn(group.checkin_schedule),
        timezone=escape_mrkdwn(group.timezone),
    )


def open_form(request: CommandRequest, *, name: str = "", usage: str) -> None:
    here = request.channel_id if request.channel_id[:1] in ("C", "G") else None
    view = group_create_modal(
        name=name,
        channel_id=here,
        timezone=request.services.settings.default_timezone,
        schedule=DEFAULT_SCHEDULE,
    )
    try:
        request.services.slack.open_view(trigger_id=request.trigger_id, view=view)
    except SlackCallFailed:
        reply(request, usage)
        return
    reply(request, msg.OPENING_FORM.format(usage=usage))


def on_create(request: CommandRequest, rest: str) -> None:
    if not rest.strip():
        open_form(request, usage=msg.USAGE_GROUP_CREATE)
        return
    args = parse_group_create(rest)
    channel = args.channel_id
    if channel is None and request.channel_id[:1] in ("C", "G"):
        channel = request.channel_id
    if channel is None:
        open_form(request, name=args.name, usage=msg.GROUP_NEEDS_CHANNEL)
        return
    new = NewGroup(
        name=args.name,
        channel_id=channel,
        timezone=args.timezone or request.services.settings.default_timezone,
        schedule=args.checkins or DEFAULT_SCHEDULE,
        lead_user_id=request.user_id,
        topic=args.topic,
    )
    group = create_group(request.services, new)
    reply(request, f"{created_text(group)}\n{show_map(request.services, group)}")
