"""``/advisor <question>`` and ``/advisor help``."""

from __future__ import annotations

from bot.answers.asking import Question, accept
from bot.blocks.answer import RenderOptions, help_blocks
from bot.commands.request import CommandRequest
from bot.slack import messages as msg
from bot.slack.replies import ResponseUrlReply
from storage.models import Surface


def show_help(request: CommandRequest) -> None:
    request.ack(text=msg.HELP_FALLBACK, blocks=help_blocks(), response_type="ephemeral")


def ask(request: CommandRequest) -> None:
    """A question: ack with "working on it", answer through the response_url."""
    if not request.args:
        show_help(request)
        return
    request.ack(text=msg.WORKING, response_type="ephemeral")
    services = request.services
    question = Question(
        user_id=request.user_id,
        text=request.args,
        surface=Surface.COMMAND.value,
        channel_id=request.channel_id,
    )
    reply = ResponseUrlReply(services.slack, response_url=request.response_url, show_working=False)
    options = RenderOptions(shareable=True, ask_person=bool(services.settings.curator_user_ids))
    accept(services, question, reply, options=options)
