"""``/advisor group create|join|leave|list|schedule|delete|topic|role|show``: routing and
the small actions.

``create`` and the new-group form live in ``bot.commands.group_create``; the topic, roles
and the stakeholder map in ``bot.commands.group_roles``.

Every handler acks at once (Slack's 3 seconds), then answers privately through the
``response_url``. Who acts is the verified ``user_id`` of the request; the lead/admin rules
are enforced by ``storage`` and turned into plain refusals here.
"""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.blocks.checkins import GroupRow, group_list
from bot.commands.args import UsageError, parse_group_schedule
from bot.commands.group_create import (
    check_schedule,
    on_create,
)
from bot.commands.group_roles import on_join_as, on_role, on_show, on_topic
from bot.commands.request import CommandRequest, reply
from bot.commands.support import Refusal, db, find_group, resync_scheduler
from bot.followup.my_commitments import next_checkin_at
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from checkins.upcoming import next_checkin, next_digest, upcoming_label
from storage import groups as store
from storage.errors import PermissionDenied
from storage.models import saved_id

_JOIN_AS = re.compile(r"^(?P<name>.+)\s+as(?:\s+(?P<party>.+))?$", re.IGNORECASE | re.DOTALL)


def _names_a_group(services: Services, text: str) -> bool:
    def work(session: Session) -> bool:
        try:
            find_group(session, text)
        except Refusal:
            return False
        return True

    return db(services, work, what="find group")


def on_join(request: CommandRequest, rest: str) -> None:
    services, user = request.services, request.user_id
    joining_as = _JOIN_AS.match(rest)
    if joining_as and not _names_a_group(services, rest):  # "Data as a service" is a name
        on_join_as(request, joining_as["name"].strip(), (joining_as["party"] or "").strip())
        return

    def work(session: Session) -> str:
        group = find_group(session, rest)
        name = escape_mrkdwn(group.name)
        if store.get_membership(session, group_id=saved_id(group), user_id=user) is not None:
            return msg.GROUP_ALREADY_MEMBER.format(name=name)
        store.add_member(session, group_id=saved_id(group), user_id=user, now=services.clock())
        return msg.GROUP_JOINED.format(name=name)

    reply(request, db(services, work, what="join group"))


def on_leave(request: CommandRequest, rest: str) -> None:
    user = request.user_id

    def work(session: Session) -> str:
        group = find_group(session, rest)
        name = escape_mrkdwn(group.name)
        if group.lead_user_id == user:
            return msg.GROUP_LEAD_CANNOT_LEAVE.format(name=name)
        if not store.remove_member(session, group_id=saved_id(group), user_id=user):
            return msg.GROUP_NOT_IN.format(name=name)
        return msg.GROUP_LEFT.format(name=name)

    reply(request, db(request.services, work, what="leave group"))


def on_list(request: CommandRequest, rest: str) -> None:
    now = request.services.clock()

    def work(session: Session) -> list[GroupRow]:
        rows = []
        for group in store.list_groups(session):
            members = store.list_members(session, group_id=saved_id(group))
            rows.append(
                GroupRow(
                    name=group.name,
                    channel_id=group.channel_id,
                    lead_user_id=group.lead_user_id,
                    members=len(members),
                    schedule=group.checkin_schedule,
                    timezone=group.timezone,
                    mine=any(m.user_id == request.user_id for m in members),
                    channel_error=group.channel_error,
                    next_checkin=upcoming_label(next_checkin(group, now=now)),
                    next_digest=upcoming_label(next_digest(group, now=now)),
                )
            )
        return rows

    reply(request, group_list(db(request.services, work, what="list groups")))


def on_schedule(request: CommandRequest, rest: str) -> None:
    services = request.services
    name, spec, timezone = parse_group_schedule(rest)
    group = db(services, lambda s: find_group(s, name), what="find group")
    zone = timezone or group.timezone
    check_schedule(spec, zone)
    try:
        changed = db(
            services,
            lambda s: store.update_group_schedule(
                s,
                group_id=saved_id(group),
                actor_user_id=request.user_id,
                admin_ids=services.settings.admin_user_ids,
                checkin_schedule=spec,
                timezone=timezone,
            ),
            what="reschedule group",
        )
    except PermissionDenied as error:
        raise Refusal(msg.GROUP_DENIED_CHANGE.format(name=escape_mrkdwn(group.name))) from error
    if changed is None:
        raise Refusal(msg.GROUP_UNKNOWN.format(name=escape_mrkdwn(name)))
    resync_scheduler()
    upcoming = next_checkin_at(changed, now=services.clock())
    reply(
        request,
        msg.GROUP_SCHEDULED.format(
            name=escape_mrkdwn(changed.name),
            schedule=escape_mrkdwn(changed.checkin_schedule),
            timezone=escape_mrkdwn(changed.timezone),
            next=escape_mrkdwn(upcoming.label) if upcoming else msg.GROUP_NEXT_NEVER,
        ),
    )


def on_delete(request: CommandRequest, rest: str) -> None:
    services = request.services
    admins = services.settings.admin_user_ids
    if request.user_id not in admins:
        raise Refusal(msg.GROUP_DENIED_DELETE)
    group = db(services, lambda s: find_group(s, rest), what="find group")
    try:
        db(
            services,
            lambda s: store.delete_group(
                s, group_id=saved_id(group), actor_user_id=request.user_id, admin_ids=admins
            ),
            what="delete group",
        )
    except PermissionDenied as error:
        raise Refusal(msg.GROUP_DENIED_DELETE) from error
    resync_scheduler()
    reply(request, msg.GROUP_DELETED.format(name=escape_mrkdwn(group.name)))


_NEEDS_NAME = {
    "join": on_join,
    "leave": on_leave,
    "delete": on_delete,
    "show": on_show,
    "role": on_role,
}


def group_command(request: CommandRequest) -> None:
    """``/advisor group <action> …``: route, and turn refusals into private replies."""
    request.ack()
    action, _, rest = request.args.strip().partition(" ")
    action, rest = action.lower(), rest.strip()
    try:
        if action == "create":
            on_create(request, rest)
        elif action in _NEEDS_NAME:
            if not rest:
                raise UsageError(msg.USAGE_GROUP_NAME.format(action=action))
            _NEEDS_NAME[action](request, rest)
        elif action == "list":
            on_list(request, rest)
        elif action == "topic":
            on_topic(request, rest)
        elif action == "schedule":
            try:
                on_schedule(request, rest)
            except UsageError as error:
                raise UsageError(f"{error}\n{msg.USAGE_GROUP_SCHEDULE}") from error
        else:
            reply(request, msg.USAGE_GROUP)
    except UsageError as error:
        usage = msg.USAGE_GROUP_CREATE if action == "create" else ""
        reply(request, msg.USAGE_PROBLEM.format(problem=error, usage=usage).strip())
    except Refusal as error:
        reply(request, str(error))
