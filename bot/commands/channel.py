"""``/advisor channel set|show|reset``: an admin's per-channel answer scope.

``set [#channel] tags a,b`` · ``kind playbooks|case-notes`` · ``city <name>`` ·
``answer on|off``; ``show [#channel]`` (anyone); ``reset [#channel]`` (admins). Without a
``#channel`` the command's own channel is meant. Only admins (``ADVISOR_ADMIN_USER_IDS``,
checked here by the verified Slack user ID) may change a scope.
"""

from __future__ import annotations

import re

from bot.answers.scope import ScopeError, describe_filters, kind_of, split_list
from bot.blocks.checkins import channel_ref
from bot.commands.request import CommandRequest, reply
from bot.commands.support import Refusal, db
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from retrieval.models import Filters
from storage.curation import get_channel_scope, reset_channel_scope, set_channel_scope
from storage.models import ChannelScope

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>$")
SETTINGS = ("tags", "tag", "kind", "kinds", "city", "cities", "answer", "answers")


def channel_command(request: CommandRequest) -> None:
    request.ack()
    words = request.args.split()
    action = words[0].lower() if words else ""
    try:
        channel, rest = _target(request, words[1:])
        if action == "show":
            reply(request, _show(request, channel))
        elif action == "set":
            reply(request, _set(request, channel, rest))
        elif action == "reset":
            reply(request, _reset(request, channel))
        else:
            reply(request, msg.USAGE_CHANNEL)
    except (Refusal, ScopeError) as refusal:
        reply(request, f"{escape_mrkdwn(str(refusal))}\n{msg.USAGE_CHANNEL}")


def _target(request: CommandRequest, words: list[str]) -> tuple[str, list[str]]:
    if words:
        found = _CHANNEL.match(words[0])
        if found:
            return found.group(1), words[1:]
    return request.channel_id, words


def _require_admin(request: CommandRequest) -> None:
    if request.user_id not in request.services.settings.admin_user_ids:
        raise Refusal(msg.CHANNEL_ADMINS_ONLY)


def _set(request: CommandRequest, channel: str, words: list[str]) -> str:
    _require_admin(request)
    if len(words) < 2 or words[0].lower() not in SETTINGS:
        raise Refusal("Say what to set: tags, kind, city or answer.")
    key, value = words[0].lower(), " ".join(words[1:])
    listed = [] if value == "-" else list(split_list(value))
    answer: bool | None = None
    kinds = tags = cities = None
    if key.startswith("tag"):
        tags = [t.lower() for t in listed]
    elif key.startswith("kind"):
        kinds = [kind_of(k) for k in listed]
    elif key.startswith("cit"):
        cities = listed
    else:
        if value.lower() not in ("on", "off"):
            raise Refusal("`answer` takes on or off.")
        answer = value.lower() == "on"
    services = request.services
    row = db(
        services,
        lambda s: set_channel_scope(
            s,
            channel_id=channel,
            updated_by=request.user_id,
            now=services.clock(),
            answer=answer,
            kinds=kinds,
            tags=tags,
            cities=cities,
        ),
        what="set channel scope",
    )
    return describe_scope(channel, row)


def _show(request: CommandRequest, channel: str) -> str:
    row = db(
        request.services,
        lambda s: get_channel_scope(s, channel_id=channel),
        what="show channel scope",
    )
    if row is None:
        return msg.CHANNEL_NO_SCOPE.format(channel=channel_ref(channel))
    return describe_scope(channel, row)


def _reset(request: CommandRequest, channel: str) -> str:
    _require_admin(request)
    db(request.services, lambda s: reset_channel_scope(s, channel_id=channel), what="reset scope")
    return msg.CHANNEL_RESET.format(channel=channel_ref(channel))


def describe_scope(channel: str, row: ChannelScope) -> str:
    """``#chan: answers on; tags a, b.`` (escaped: tags and cities are typed text)."""
    filters = Filters(kinds=tuple(row.kinds), tags=tuple(row.tags), cities=tuple(row.cities))
    scope = describe_filters(filters) or msg.CHANNEL_WHOLE_LIBRARY
    answers = msg.CHANNEL_ANSWERS_ON if row.answer else msg.CHANNEL_ANSWERS_OFF_SHORT
    return msg.CHANNEL_SCOPE.format(
        channel=channel_ref(channel), answers=answers, scope=escape_mrkdwn(scope)
    )
