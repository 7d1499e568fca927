"""``/advisor reindex`` (admins only): re-read the playbooks now and swap the new index in,
in the background; the admin is told the result privately when it is live."""

from __future__ import annotations

from bot.answers.live import ReloadResult
from bot.commands.request import CommandRequest, reply
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn

NOT_LIVE = "This advisor process cannot re-index (it does not serve a playbooks index)."


def reindex_command(request: CommandRequest) -> None:
    services = request.services
    if request.user_id not in services.settings.admin_user_ids:
        request.ack(text=msg.REINDEX_ADMINS_ONLY, response_type="ephemeral")
        return
    reloader = services.reloader
    if reloader is None:
        request.ack(text=NOT_LIVE, response_type="ephemeral")
        return
    if reloader.running:
        request.ack(text=msg.REINDEX_RUNNING, response_type="ephemeral")
        return
    request.ack(text=msg.REINDEX_STARTED, response_type="ephemeral")
    reloader.check_in_background(lambda result: reply(request, result_text(result)))


def result_text(result: ReloadResult | None) -> str:
    if result is None:
        return msg.REINDEX_RUNNING
    if result.failed:
        return msg.REINDEX_FAILED.format(error=escape_mrkdwn(result.failed))
    text = msg.REINDEX_DONE.format(summary=escape_mrkdwn(result.summary))
    if result.problems:
        text += f"\n{len(result.problems)} playbook error(s): the curators were told."
    return text
