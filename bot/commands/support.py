"""What the group, commitment and check-in use-cases share: database work with retries,
finding a group, and the checks that need Slack (is the channel alive, is the owner).
It imports no command module (the private reply is ``bot.commands.request.reply``).

Errors::

    Refusal          a request we will not carry out; its message goes to the caller as is
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from bot.blocks.checkin_messages import who
from bot.blocks.checkins import channel_ref
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import GONE_CHANNEL_ERRORS, GONE_USER_ERRORS, SlackCallFailed
from storage.commitments import create_commitment
from storage.groups import get_group_by_name, list_groups
from storage.models import Commitment, CommitmentBase, Membership, WorkingGroup
from storage.retry import is_transient, retry_in_session

log = logging.getLogger(__name__)
T = TypeVar("T")


class Refusal(Exception):
    """A request we will not carry out; ``str(refusal)`` is the message for the caller."""


def db(services: Services, work: Callable[[Session], T], *, what: str) -> T:
    """Run ``work`` in a fresh session, retrying a briefly locked or unreachable database."""

    try:
        return retry_in_session(services.sessions, work, what=what)
    except DBAPIError as error:
        if is_transient(error):
            raise Refusal(msg.DB_BUSY) from error
        raise


def resync_scheduler() -> None:
    """Re-derive the scheduler's jobs now, if this process runs it (a periodic resync
    catches up otherwise)."""
    from bot.scheduling.scheduler import resync_active  # late: APScheduler loads only where needed

    try:
        resync_active()
    except Exception:  # the periodic resync job retries; the change itself is stored
        log.exception("scheduler resync failed")


def find_group(session: Session, name: str) -> WorkingGroup:
    """The group called ``name`` (exact, then ignoring case); ``Refusal`` if there is none."""
    found = get_group_by_name(session, name=name)
    if found is None:  # ignoring case, and "privacy-wg" for "Privacy WG" (a #name has no spaces)
        matches = [g for g in list_groups(session) if _loose(g.name) == _loose(name)]
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise Refusal(msg.GROUP_UNKNOWN.format(name=escape_mrkdwn(name)))
    return found


def _loose(name: str) -> str:
    return " ".join(re.split(r"[\s_-]+", name.lower())).strip()


def groups_of_user(session: Session, user_id: str) -> list[WorkingGroup]:
    """Active groups ``user_id`` belongs to, by name."""
    query = select(Membership.group_id).where(Membership.user_id == user_id)
    ids = set(session.exec(query).all())
    return [g for g in list_groups(session) if g.id in ids]


def pick_group(
    session: Session,
    *,
    user_id: str,
    here: str,
    channel_id: str | None,
    name: str | None,
) -> WorkingGroup:
    """The group a command means: named, by channel, this channel's, or the caller's only one."""
    if name:
        return find_group(session, name)
    groups = list(list_groups(session))
    if channel_id:
        on_channel = [g for g in groups if g.channel_id == channel_id]
        if not on_channel:
            raise Refusal(msg.GROUP_NONE_FOR_CHANNEL.format(channel=channel_ref(channel_id)))
        if len(on_channel) > 1:
            names = ", ".join(escape_mrkdwn(g.name) for g in on_channel)
            raise Refusal(
                msg.GROUP_SEVERAL_FOR_CHANNEL.format(channel=channel_ref(channel_id), names=names)
            )
        return on_channel[0]
    here_groups = [g for g in groups if g.channel_id == here]
    if len(here_groups) == 1:
        return here_groups[0]
    mine = groups_of_user(session, user_id)
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise Refusal(msg.GROUP_NOT_MEMBER)
    raise Refusal(msg.GROUP_PICK_ONE.format(names=", ".join(escape_mrkdwn(g.name) for g in mine)))


def require_live_channel(services: Services, channel_id: str) -> None:
    """Refuse an archived or unknown channel; other Slack trouble does not block the caller."""
    try:
        info = services.slack.channel_info(channel=channel_id)
    except SlackCallFailed as error:
        if error.code in GONE_CHANNEL_ERRORS:
            raise Refusal(
                msg.GROUP_CHANNEL_MISSING.format(channel=channel_ref(channel_id))
            ) from error
        log.warning("channel check skipped (%s)", error.code)
        return
    if info.get("is_archived"):
        raise Refusal(msg.GROUP_CHANNEL_ARCHIVED.format(channel=channel_ref(channel_id)))


def require_active_user(services: Services, user_id: str) -> None:
    """Refuse an owner who left the workspace (``user_not_found`` or ``deleted: true``)."""
    try:
        info = services.slack.user_info(user=user_id)
    except SlackCallFailed as error:
        if error.code in GONE_USER_ERRORS:
            raise Refusal(msg.COMMIT_OWNER_GONE.format(owner=who(user_id))) from error
        log.warning("owner check skipped (%s)", error.code)
        return
    if info.get("deleted"):
        raise Refusal(msg.COMMIT_OWNER_GONE.format(owner=who(user_id)))


def notify_new_owner(
    services: Services, *, owner: str, created_by: str, title: str, due: str, group: str
) -> None:
    """DM the owner of a commitment someone else created; a failure is logged, never raised."""
    if owner == created_by:
        return
    text = msg.COMMITMENT_ASSIGNED.format(
        creator=who(created_by), title=escape_mrkdwn(title), due=due, group=escape_mrkdwn(group)
    )
    try:
        services.slack.post_message(channel=owner, text=text)
    except SlackCallFailed as error:
        log.warning("could not tell the new owner (%s)", error.code)


def add_commitment(
    services: Services,
    draft: CommitmentBase,
    *,
    group_id: int,
    created_by: str,
    question_log_id: int | None = None,
    citations: list[dict[str, str]] | None = None,
) -> tuple[Commitment, str]:
    """Store a commitment and DM its owner if someone else made it: the one way both the
    command and the form create one. Returns the row and its group's name; a busy database
    is retried (then ``Refusal``), storage's own refusals (``StorageError``) are raised."""

    def work(session: Session) -> tuple[Commitment, str]:
        row = create_commitment(
            session,
            group_id=group_id,
            commitment=draft,
            created_by=created_by,
            now=services.clock(),
            question_log_id=question_log_id,
        )
        if citations:  # made from an answer: keep the sections it cited
            row.citations = list(citations)
            session.add(row)
            session.commit()
        group = session.get(WorkingGroup, row.group_id)
        return row, group.name if group is not None else str(row.group_id)

    row, group_name = db(services, work, what="create commitment")
    notify_new_owner(
        services,
        owner=row.owner_user_id,
        created_by=created_by,
        title=row.title,
        due=row.due_date.isoformat(),
        group=group_name,
    )
    return row, group_name
