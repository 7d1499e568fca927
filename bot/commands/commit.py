"""``/advisor commit``, ``/advisor commitments`` and ``/advisor done <id>``.

The owner comes from a mention Slack escaped (``<@U123|name>``) or is the caller; the
group from a channel, a ``#name``, the channel the command ran in, or the caller's only
group. Dates are read by ``checkins.dates`` in the group's timezone. Acks come first;
answers go privately through the ``response_url``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.blocks.checkin_messages import who
from bot.blocks.checkins import commitment_lines
from bot.blocks.modals import TITLE_LIMIT, CommitmentDraft, commitment_modal
from bot.commands.args import UsageError, parse_commit, parse_commitment_id
from bot.commands.request import CommandRequest, reply
from bot.commands.support import (
    Refusal,
    add_commitment,
    db,
    groups_of_user,
    pick_group,
    require_active_user,
)
from bot.followup.history import history_rows, history_text
from bot.followup.my_commitments import open_commitment_rows
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import SlackCallFailed
from checkins.dates import parse_due_date, today_in
from checkins.errors import InvalidDueDate
from storage.commitments import get_commitment, set_commitment_status
from storage.errors import PermissionDenied
from storage.groups import get_group, list_groups
from storage.models import CommitmentBase, CommitmentStatus, saved_id
from storage.permissions import can_change_commitment

DEFAULT_DUE = timedelta(days=14)


def _open_form(request: CommandRequest) -> None:
    """The commitment form shared with "Turn into a commitment", the caller's groups first."""
    services, user = request.services, request.user_id

    def choices(session: Session) -> list[tuple[int, str]]:
        mine = {g.id for g in groups_of_user(session, user)}
        groups = sorted(list_groups(session), key=lambda g: (g.id not in mine, g.name.lower()))
        return [(g.id, g.name) for g in groups if g.id is not None]

    groups = db(services, choices, what="list groups")
    today = today_in(now=services.clock(), timezone=services.settings.default_timezone)
    draft = CommitmentDraft(
        question_log_id=None, title="", details="", owner_user_id=user, due=today + DEFAULT_DUE
    )
    try:
        services.slack.open_view(
            trigger_id=request.trigger_id, view=commitment_modal(draft, groups)
        )
    except SlackCallFailed:
        reply(request, msg.USAGE_COMMIT)
        return
    reply(request, msg.OPENING_FORM.format(usage=msg.USAGE_COMMIT))


def _commit(request: CommandRequest) -> str:
    services = request.services
    args = parse_commit(request.args)
    if args.stray:
        raise Refusal(msg.COMMIT_OWNER_TEXT.format(text=f"`{escape_mrkdwn(args.stray[0])}`"))
    if len(args.title) > TITLE_LIMIT:
        raise Refusal(msg.COMMIT_TITLE_LONG.format(length=len(args.title), limit=TITLE_LIMIT))
    owner = args.owner_user_id or request.user_id
    group = db(
        services,
        lambda s: pick_group(
            s,
            user_id=request.user_id,
            here=request.channel_id,
            channel_id=args.channel_id,
            name=args.group_name,
        ),
        what="find group",
    )
    try:
        due = parse_due_date(args.due, now=services.clock(), timezone=group.timezone)
    except InvalidDueDate as error:
        raise Refusal(escape_mrkdwn(str(error))) from error
    if owner != request.user_id:
        require_active_user(services, owner)
    draft = CommitmentBase(owner_user_id=owner, title=args.title, due_date=due)
    row, _ = add_commitment(services, draft, group_id=saved_id(group), created_by=request.user_id)
    return msg.COMMITMENT_CREATED.format(
        id=row.id, owner=who(owner), due=due.isoformat(), title=escape_mrkdwn(row.title)
    )


def commit_command(request: CommandRequest) -> None:
    """``/advisor commit "<title>" due <date> [@owner] [#group]``; a form when bare."""
    request.ack()
    try:
        if not request.args.strip():
            _open_form(request)
            return
        reply(request, _commit(request))
    except UsageError as error:
        reply(request, msg.USAGE_PROBLEM.format(problem=error, usage=msg.USAGE_COMMIT))
    except Refusal as error:
        reply(request, str(error))


def commitments_command(request: CommandRequest) -> None:
    """``/advisor commitments``: the caller's open commitments, only to them; ``--all``:
    every one of them with its status trail."""
    request.ack()
    services = request.services
    if request.args.strip().lower() in ("--all", "all", "—all"):
        try:
            history = db(
                services, lambda s: history_rows(s, user_id=request.user_id), what="history"
            )
        except Refusal as error:
            reply(request, str(error))
            return
        reply(request, history_text(history))
        return
    try:
        rows, _groups = db(
            services,
            lambda s: open_commitment_rows(s, user_id=request.user_id, now=services.clock()),
            what="list commitments",
        )
    except Refusal as error:
        reply(request, str(error))
        return
    if not rows:
        reply(request, msg.COMMITMENTS_NONE)
        return
    reply(request, "\n".join([msg.COMMITMENTS_HEADER, *commitment_lines(rows)]))


def _mark_done(request: CommandRequest, commitment_id: int) -> str:
    """Permission first: someone who may not change #id learns nothing about it, not even
    whether it exists (only admins, who may change any, hear "there is no commitment")."""
    services, user = request.services, request.user_id
    admins = services.settings.admin_user_ids
    refusal = msg.COMMITMENT_DENIED.format(id=commitment_id)

    def work(session: Session) -> str:
        found = get_commitment(session, commitment_id=commitment_id)
        group = get_group(session, group_id=found.group_id) if found else None
        if found is None or group is None:
            if user in admins:
                return msg.COMMITMENT_NOT_FOUND.format(id=commitment_id)
            raise Refusal(refusal)
        if not can_change_commitment(found, group, actor_user_id=user, admin_ids=admins):
            raise Refusal(refusal)
        if found.status != CommitmentStatus.OPEN.value:
            return msg.COMMITMENT_ALREADY.format(id=commitment_id, status=found.status)
        row = set_commitment_status(
            session,
            commitment_id=commitment_id,
            actor_user_id=user,
            status=CommitmentStatus.DONE.value,
            admin_ids=admins,
            now=services.clock(),
        )
        if row is None:
            raise Refusal(refusal)
        return msg.COMMITMENT_DONE.format(id=commitment_id, title=escape_mrkdwn(row.title))

    try:
        return db(services, work, what="mark commitment done")
    except PermissionDenied as error:
        raise Refusal(refusal) from error


def done_command(request: CommandRequest) -> None:
    """``/advisor done <id>``: owner, group lead or admin only."""
    request.ack()
    commitment_id = parse_commitment_id(request.args)
    if commitment_id is None:
        reply(request, msg.USAGE_DONE)
        return
    try:
        reply(request, _mark_done(request, commitment_id))
    except Refusal as error:
        reply(request, str(error))
