"""Answering a check-in DM: Done / On track / At risk / Blocked (with a note) and Snooze.

``storage.checkins.record_response`` lets exactly one of two simultaneous clicks win and
enforces owner / lead / admin; ``snooze_checkin`` allows one snooze, owner only. Here the
outcome becomes the DM's new look (``chat.update``) or a private note to the clicker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session

from bot.answers.buttons import Where
from bot.blocks.checkins import answered_checkin, status_label
from bot.commands.support import Refusal, db
from bot.followup.my_commitments import NextCheckin
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.gateway import SlackCallFailed
from checkins.snooze import snooze_until
from storage import checkins as store
from storage.errors import PermissionDenied
from storage.models import CheckIn, Commitment, WorkingGroup
from storage.permissions import can_change_commitment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckinView:
    """A check-in with its commitment and group, as read in one session."""

    checkin: CheckIn
    commitment: Commitment
    group: WorkingGroup


def load(services: Services, checkin_id: int) -> CheckinView | None:
    def work(session: Session) -> CheckinView | None:
        checkin = session.get(CheckIn, checkin_id)
        commitment = session.get(Commitment, checkin.commitment_id) if checkin else None
        group = session.get(WorkingGroup, commitment.group_id) if commitment else None
        if checkin is None or commitment is None or group is None:
            return None
        return CheckinView(checkin, commitment, group)

    return db(services, work, what="load check-in")


def refusal_for(services: Services, checkin_id: int, *, user_id: str) -> str | None:
    """Why ``user_id`` may not answer this check-in now (``None`` if they may)."""
    found = load(services, checkin_id)
    if found is None:
        return msg.CHECKIN_GONE
    admins = services.settings.admin_user_ids
    if not can_change_commitment(
        found.commitment, found.group, actor_user_id=user_id, admin_ids=admins
    ):
        return msg.CHECKIN_DENIED
    if found.checkin.response is not None:
        return msg.CHECKIN_ALREADY.format(status=status_label(found.checkin.response))
    return None


def answer(
    services: Services,
    *,
    checkin_id: int,
    user_id: str,
    response: str,
    note: str | None = None,
    where: Where | None = None,
) -> str | None:
    """Record the answer and show it in the DM; the refusal to show the clicker, if any."""
    try:
        result = db(
            services,
            lambda s: store.record_response(
                s,
                checkin_id=checkin_id,
                actor_user_id=user_id,
                response=response,
                admin_ids=services.settings.admin_user_ids,
                now=services.clock(),
                note=note,
            ),
            what="record check-in answer",
        )
    except PermissionDenied:
        return msg.CHECKIN_DENIED
    except Refusal as error:
        return str(error)
    if result is store.ResponseResult.NOT_FOUND:
        return msg.CHECKIN_GONE
    found = load(services, checkin_id)
    if found is None:
        return msg.CHECKIN_GONE
    if result is store.ResponseResult.ALREADY_ANSWERED:
        return msg.CHECKIN_ALREADY.format(status=status_label(found.checkin.response))
    _show_answer(services, found, where)
    return None


def _show_answer(services: Services, found: CheckinView, where: Where | None) -> None:
    checkin = found.checkin
    text, blocks = answered_checkin(
        group=found.group.name,
        title=found.commitment.title,
        due=found.commitment.due_date,
        response=str(checkin.response),
        user_id=str(checkin.responded_by),
        note=checkin.note,
    )
    targets = {(checkin.dm_channel, checkin.message_ts)}
    if where is not None:
        targets.add((where.channel_id, where.message_ts))
    for channel, ts in targets:
        if channel and ts:
            try:
                services.slack.update_message(channel=channel, ts=ts, text=text, blocks=blocks)
            except SlackCallFailed as error:  # the answer is stored; only the look is stale
                log.warning("check-in DM not updated (%s)", error.code)


def snooze(services: Services, *, checkin_id: int, user_id: str) -> str:
    """Snooze once (owner only); the note to show the clicker."""
    until = snooze_until(now=services.clock())
    try:
        done = db(
            services,
            lambda s: store.snooze_checkin(
                s, checkin_id=checkin_id, actor_user_id=user_id, until=until
            ),
            what="snooze check-in",
        )
    except PermissionDenied:
        return msg.CHECKIN_SNOOZE_DENIED
    except Refusal as error:
        return str(error)
    if done:
        label = f"{until:%Y-%m-%d %H:%M} UTC"
        return msg.CHECKIN_SNOOZED.format(when=NextCheckin(until, label).slack_date)
    found = load(services, checkin_id)
    if found is None:
        return msg.CHECKIN_GONE
    if found.checkin.response is not None:
        return msg.CHECKIN_ALREADY.format(status=status_label(found.checkin.response))
    return msg.CHECKIN_SNOOZE_USED
