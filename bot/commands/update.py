"""``/advisor update <id> <status> ["note"]``: a status outside the check-in DM (issue 14).

Owner, group lead or admin only (``storage.updates`` checks the Slack user ID). A check-in
DM of the current period (``checkins.due.current_checkin_period`` at the injected clock)
still waiting for an answer is answered by it; otherwise the next check-in counts it
instead of asking (``bot.followup.plan``). As with ``/advisor done``, someone who may not
change the commitment learns nothing about it.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.blocks.checkins import status_label
from bot.commands.args import parse_commitment_id, tokenize
from bot.commands.request import CommandRequest, reply
from bot.commands.support import Refusal, db
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from checkins.due import current_checkin_period
from storage.commitments import get_commitment
from storage.errors import InvalidValue, PermissionDenied
from storage.groups import get_group
from storage.models import CheckInResponse
from storage.updates import record_update

NOTE_LIMIT = 2000


def parse_status(text: str) -> str | None:
    """``at-risk``, ``at risk``, ``At_Risk`` … as a ``CheckInResponse`` value, or None."""
    cleaned = "_".join(text.lower().replace("-", " ").replace("_", " ").split())
    return cleaned if cleaned in set(CheckInResponse) else None


def update_command(request: CommandRequest) -> None:
    request.ack()
    try:
        reply(request, _update(request))
    except Refusal as error:
        reply(request, str(error))


def _update(request: CommandRequest) -> str:
    tokens = tokenize(request.args)
    if len(tokens) < 2:
        return msg.USAGE_UPDATE
    commitment_id = parse_commitment_id(tokens[0].text)
    quoted = [t.text for t in tokens[1:] if t.quoted]
    status_words = " ".join(t.text for t in tokens[1:] if not t.quoted)
    status = parse_status(status_words)
    if commitment_id is None or len(quoted) > 1:
        return msg.USAGE_UPDATE
    if status is None:
        shown = escape_mrkdwn(status_words or "(none)")
        return f"{msg.UPDATE_UNKNOWN_STATUS.format(text=shown)}\n{msg.USAGE_UPDATE}"
    note = " ".join(quoted[0].split())[:NOTE_LIMIT] if quoted else None
    return _record(request, commitment_id, status, note or None)


def _record(request: CommandRequest, commitment_id: int, status: str, note: str | None) -> str:
    services, user = request.services, request.user_id
    denied = msg.COMMITMENT_DENIED.format(id=commitment_id)

    def work(session: Session) -> str:
        found = get_commitment(session, commitment_id=commitment_id)
        group = get_group(session, group_id=found.group_id) if found is not None else None
        now = services.clock()
        current = current_checkin_period(group, now=now) if group is not None else None
        try:
            row = record_update(
                session,
                commitment_id=commitment_id,
                actor_user_id=user,
                admin_ids=services.settings.admin_user_ids,
                status=status,
                note=note,
                now=now,
                current_period=current,
            )
        except PermissionDenied as error:
            raise Refusal(denied) from error
        except InvalidValue as error:
            assert found is not None
            raise Refusal(
                msg.UPDATE_CLOSED.format(id=commitment_id, status=found.status)
            ) from error
        if row is None or found is None:
            if user in services.settings.admin_user_ids:
                return msg.COMMITMENT_NOT_FOUND.format(id=commitment_id)
            raise Refusal(denied)
        return msg.UPDATE_RECORDED.format(
            status=status_label(status),
            id=commitment_id,
            title=escape_mrkdwn(found.title),
            note=msg.UPDATE_NOTE.format(note=escape_mrkdwn(note)) if note else "",
            next=msg.UPDATE_ANSWERED if row.checkin_id is not None else msg.UPDATE_NEXT,
        )

    return db(services, work, what="record update")
