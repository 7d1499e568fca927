"""Message shortcut "Ask the advisor about this": the message's text is the question."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.answers.asking import Question, accept
from bot.blocks.answer import RenderOptions
from bot.services import Services
from bot.slack.replies import ResponseUrlReply
from storage.models import Surface

CALLBACK_ID = "ask_advisor"


def register(app: App, services: Services) -> None:
    @app.message_shortcut(CALLBACK_ID)
    def on_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handle_shortcut(services, body)


def _part(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def handle_shortcut(services: Services, body: dict[str, Any]) -> None:
    message = _part(body, "message")
    question = Question(
        user_id=str(_part(body, "user").get("id", "")),
        text=" ".join(str(message.get("text", "")).split()),
        surface=Surface.SHORTCUT.value,
        channel_id=str(_part(body, "channel").get("id", "")) or None,
        thread_ts=message.get("thread_ts") or message.get("ts"),
    )
    reply = ResponseUrlReply(
        services.slack, response_url=str(body.get("response_url", "")), show_working=True
    )
    options = RenderOptions(shareable=True, ask_person=bool(services.settings.curator_user_ids))
    accept(services, question, reply, options=options)
