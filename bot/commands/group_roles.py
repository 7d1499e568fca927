"""``/advisor group topic|show|role`` and ``group join <name> as <stakeholder>``: the
group's topic, whom members represent, and the stakeholder map (issue 14).

A member names their party in their own words (``as PD``, ``as legal``): the vocabulary in
``playbooks/stakeholders.yaml`` resolves ids, labels and aliases; anything else is refused
with the list of valid ones. ``group join <name> as`` with no party (or ``group role
<name>``) opens a form with a picker. The lead or an admin sets anyone's role
(``group role <name> @someone <party>``); storage checks that by Slack user ID.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.blocks.checkin_messages import who
from bot.blocks.stakeholders import map_text, role_modal
from bot.commands.args import UsageError, tokenize, words
from bot.commands.request import CommandRequest, reply
from bot.commands.support import Refusal, db, find_group
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import SlackCallFailed
from bot.stakeholders.mapping import group_map, members_of, vocabulary
from retrieval.stakeholders import Stakeholder, StakeholderVocabulary
from storage import roles
from storage.errors import PermissionDenied
from storage.models import WorkingGroup, saved_id


def resolve_party(services: Services, text: str) -> Stakeholder:
    """The party ``text`` names; ``Refusal`` listing the valid ones otherwise."""
    parties = _vocabulary(services)
    found = parties.resolve(text)
    if found is None:
        valid = ", ".join(f"`{p.id}` ({escape_mrkdwn(p.label)})" for p in parties.parties)
        raise Refusal(msg.ROLE_UNKNOWN.format(text=escape_mrkdwn(text), valid=valid))
    return found


def _vocabulary(services: Services) -> StakeholderVocabulary:
    parties = vocabulary(services.settings)
    if parties is None:
        raise Refusal(msg.ROLE_NO_VOCABULARY)
    return parties


def show_map(services: Services, group: WorkingGroup) -> str:
    """The group's stakeholder map as text (computed now, from the live index)."""
    members = db(services, lambda s: members_of(s, group), what="read members")
    return map_text(group_map(services, group, members), group_name=group.name)


def set_role(
    services: Services, *, group_name: str, user_id: str, party: Stakeholder, actor: str
) -> str:
    """Record that ``user_id`` represents ``party``; the confirmation and the new map."""

    def work(session: Session) -> WorkingGroup:
        group = find_group(session, group_name)
        try:
            roles.set_member_stakeholder(
                session,
                group_id=saved_id(group),
                user_id=user_id,
                stakeholder=party.id,
                actor_user_id=actor,
                admin_ids=services.settings.admin_user_ids,
                now=services.clock(),
            )
        except PermissionDenied as error:
            raise Refusal(msg.ROLE_DENIED.format(name=escape_mrkdwn(group.name))) from error
        return group

    group = db(services, work, what="set role")
    template = msg.ROLE_SET_SELF if user_id == actor else msg.ROLE_SET_OTHER
    done = template.format(
        label=escape_mrkdwn(party.label), name=escape_mrkdwn(group.name), user=who(user_id)
    )
    return f"{done}\n{show_map(services, group)}"


def on_join_as(request: CommandRequest, name: str, party_text: str) -> None:
    """``group join <name> as <party>`` (no party: the picker)."""
    if not party_text:
        open_picker(request, name)
        return
    party = resolve_party(request.services, party_text)
    reply(
        request,
        set_role(
            request.services,
            group_name=name,
            user_id=request.user_id,
            party=party,
            actor=request.user_id,
        ),
    )


def on_role(request: CommandRequest, rest: str) -> None:
    """``group role <name> [@someone] [<party>]``: the lead or an admin sets anyone's role."""
    tokens = tokenize(rest)
    users = [t.user_id for t in tokens if t.user_id]
    if len(users) > 1:
        raise UsageError("Name one person.")
    if not users:
        open_picker(request, words(tokens))
        return
    at = next(i for i, t in enumerate(tokens) if t.user_id)
    name, party_text = words(tokens[:at]), words(tokens[at + 1 :])
    if not name or not party_text:
        raise UsageError("Say which group and which stakeholder.")
    party = resolve_party(request.services, party_text)
    reply(
        request,
        set_role(
            request.services, group_name=name, user_id=users[0], party=party, actor=request.user_id
        ),
    )


def open_picker(request: CommandRequest, name: str) -> None:
    services = request.services
    if not name:
        raise UsageError("Say which group.")
    group = db(services, lambda s: find_group(s, name), what="find group")
    view = role_modal(
        group_id=saved_id(group), group_name=group.name, parties=_vocabulary(services)
    )
    try:
        services.slack.open_view(trigger_id=request.trigger_id, view=view)
    except SlackCallFailed:
        reply(request, msg.USAGE_GROUP_JOIN_AS)
        return
    reply(request, msg.OPENING_FORM.format(usage=msg.USAGE_GROUP_JOIN_AS))


def submit_role(services: Services, *, group_id: int, party_id: str, user_id: str) -> str:
    """The picker's submission: the caller represents ``party_id`` in the group."""
    party = resolve_party(services, party_id)
    group = db(services, lambda s: s.get(WorkingGroup, group_id), what="find group")
    if group is None:
        raise Refusal(msg.GROUP_UNKNOWN.format(name=str(group_id)))
    return set_role(services, group_name=group.name, user_id=user_id, party=party, actor=user_id)


def on_topic(request: CommandRequest, rest: str) -> None:
    """``group topic <name> "<topic>"`` (lead or admin); ``""`` clears it."""
    services = request.services
    tokens = tokenize(rest)
    quoted = [t for t in tokens if t.quoted]
    name = words([t for t in tokens if not t.quoted])
    if len(quoted) != 1 or not name:
        raise UsageError(msg.USAGE_GROUP_TOPIC)
    topic = " ".join(quoted[0].text.split())
    check_topic(topic)

    def work(session: Session) -> WorkingGroup:
        group = find_group(session, name)
        try:
            changed = roles.set_group_topic(
                session,
                group_id=saved_id(group),
                topic=topic or None,
                actor_user_id=request.user_id,
                admin_ids=services.settings.admin_user_ids,
            )
        except PermissionDenied as error:
            raise Refusal(msg.GROUP_DENIED_CHANGE.format(name=escape_mrkdwn(group.name))) from error
        assert changed is not None
        return changed

    group = db(services, work, what="set topic")
    if not group.topic:
        reply(request, msg.GROUP_TOPIC_CLEARED.format(name=escape_mrkdwn(group.name)))
        return
    said = msg.GROUP_TOPIC_SET.format(name=escape_mrkdwn(group.name), topic=escape_mrkdwn(topic))
    reply(request, f"{said}\n{show_map(services, group)}")


def check_topic(topic: str) -> None:
    if len(topic) > roles.TOPIC_LIMIT:
        raise Refusal(msg.GROUP_TOPIC_LONG.format(length=len(topic), limit=roles.TOPIC_LIMIT))


def on_show(request: CommandRequest, rest: str) -> None:
    """``group show <name>``: the topic and the stakeholder map."""
    services = request.services
    group = db(services, lambda s: find_group(s, rest), what="find group")
    reply(request, f"*{escape_mrkdwn(group.name)}*\n{show_map(services, group)}")
