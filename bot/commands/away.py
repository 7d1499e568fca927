"""``/advisor away until <date>``, ``away off`` and ``away``: pause my check-ins (issue 14).

The date is read like a due date (``2026-12-28``, ``next friday``, ``in 2 weeks``) in the
caller's own timezone, from Slack's ``users.info`` (``ADVISOR_DEFAULT_TIMEZONE`` if Slack
does not say), and a past date is refused. Away lasts through the whole of that day there;
``checkins.away`` computes the instant they are back, DST included, and the check-in rules
skip what falls before it.
"""

from __future__ import annotations

import logging

from bot.commands.request import CommandRequest, reply
from bot.commands.support import Refusal, db
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import SlackCallFailed
from checkins.away import back_at
from checkins.dates import parse_due_date
from checkins.errors import InvalidDueDate, InvalidSchedule
from checkins.schedule import load_timezone
from storage.away import away_periods, clear_away, set_away

log = logging.getLogger(__name__)


def user_timezone(services: Services, user_id: str) -> str:
    """The user's timezone as Slack has it, else the default; never raises."""
    try:
        zone = str(services.slack.user_info(user=user_id).get("tz") or "")
    except SlackCallFailed as error:
        log.warning("user timezone unknown (%s)", error.code)
        zone = ""
    try:
        load_timezone(zone)
    except InvalidSchedule:
        return services.settings.default_timezone
    return zone


def away_command(request: CommandRequest) -> None:
    request.ack()
    try:
        reply(request, _away(request))
    except Refusal as error:
        reply(request, str(error))


def _away(request: CommandRequest) -> str:
    services, user = request.services, request.user_id
    words = request.args.split()
    if not words:
        found = db(
            services,
            lambda s: away_periods(s, at=services.clock(), user_ids=[user]),
            what="read away",
        )
        period = found.get(user)
        if period is None:
            return msg.AWAY_NONE
        return msg.AWAY_SHOW.format(
            until=period.until.isoformat(), timezone=escape_mrkdwn(period.timezone)
        )
    if [w.lower() for w in words] in (["off"], ["back"]):
        db(services, lambda s: clear_away(s, user_id=user), what="end away")
        return msg.AWAY_CLEARED
    if words[0].lower() != "until" or len(words) < 2:
        return msg.USAGE_AWAY
    zone = user_timezone(services, user)
    now = services.clock()
    try:
        until = parse_due_date(" ".join(words[1:]), now=now, timezone=zone)
    except InvalidDueDate as error:
        return f"{escape_mrkdwn(str(error))}\n{msg.USAGE_AWAY}"
    try:
        back = back_at(until, timezone=zone)
    except OverflowError:  # 9999-12-31: the day after it is no date
        return f"{msg.AWAY_TOO_FAR.format(until=until.isoformat())}\n{msg.USAGE_AWAY}"
    db(
        services,
        lambda s: set_away(s, user_id=user, until=until, timezone=zone, back_at=back, now=now),
        what="set away",
    )
    return msg.AWAY_SET.format(until=until.isoformat(), timezone=escape_mrkdwn(zone))
