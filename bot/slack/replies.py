"""Where an answer goes: a thread message that replaces its placeholder, or a response_url.

Both show a "working on it" signal first and replace it with the answer, or with a short
message saying what to do next when anything fails.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from bot.blocks.answer import RenderedAnswer, notice_blocks
from bot.slack import messages as msg
from bot.slack.gateway import SlackCallFailed, SlackGateway

log = logging.getLogger(__name__)


class Reply(Protocol):
    def start(self) -> bool:
        """Show "working on it"; False when the destination cannot be posted to."""
        ...

    def finish(self, rendered: RenderedAnswer) -> str | None:
        """Replace the signal with the answer; the ``ts`` of its first message, if known."""
        ...

    def notice(self, text: str) -> None:
        """Replace the signal with a short status message."""
        ...


class ThreadReply:
    """A placeholder message in a channel or DM (optionally in a thread), then ``chat.update``."""

    def __init__(self, slack: SlackGateway, *, channel: str, thread_ts: str | None) -> None:
        self.slack, self.channel, self.thread_ts = slack, channel, thread_ts
        self.placeholder_ts: str | None = None
        self.answered = False  # part 1 of the answer replaced the placeholder

    def start(self) -> bool:
        try:
            self.placeholder_ts = self.slack.post_message(
                channel=self.channel, text=msg.WORKING, thread_ts=self.thread_ts
            )
        except SlackCallFailed as exc:
            log.warning("cannot post to channel (%s); question skipped", exc.code)
            return False
        return True

    def finish(self, rendered: RenderedAnswer) -> str | None:
        first, *rest = rendered.messages
        ts = self._replace(rendered.text, first)
        self.answered = True
        for blocks in rest:
            self.slack.post_message(
                channel=self.channel, text=rendered.text, blocks=blocks, thread_ts=self.thread_ts
            )
        return ts

    def withdraw(self) -> None:
        """Take the placeholder down (the question turned out to be answered already)."""
        if self.placeholder_ts is None:
            return
        try:
            self.slack.delete_message(channel=self.channel, ts=self.placeholder_ts)
        except SlackCallFailed as exc:
            log.warning("could not withdraw a placeholder (%s)", exc.code)

    def notice(self, text: str) -> None:
        """Replace the placeholder; once part of the answer is in it, post below instead."""
        if self.answered:
            self.slack.post_message(
                channel=self.channel,
                text=text,
                blocks=notice_blocks(text),
                thread_ts=self.thread_ts,
            )
            return
        self._replace(text, notice_blocks(text))

    def _replace(self, text: str, blocks: list[dict[str, Any]]) -> str:
        if self.placeholder_ts:
            self.slack.update_message(
                channel=self.channel, ts=self.placeholder_ts, text=text, blocks=blocks
            )
            return self.placeholder_ts
        return self.slack.post_message(
            channel=self.channel, text=text, blocks=blocks, thread_ts=self.thread_ts
        )


class ResponseUrlReply:
    """An ephemeral answer through a slash command's or shortcut's ``response_url``."""

    def __init__(self, slack: SlackGateway, *, response_url: str, show_working: bool) -> None:
        self.slack, self.response_url, self.show_working = slack, response_url, show_working

    def start(self) -> bool:
        if self.show_working:
            self._send({"text": msg.WORKING}, replace=False)
        return True

    def finish(self, rendered: RenderedAnswer) -> str | None:
        for index, blocks in enumerate(rendered.messages):
            self._send({"text": rendered.text, "blocks": blocks}, replace=index == 0)
        return None

    def notice(self, text: str) -> None:
        self._send({"text": text, "blocks": notice_blocks(text)}, replace=True)

    def _send(self, payload: dict[str, Any], *, replace: bool) -> None:
        payload = {"response_type": "ephemeral", "replace_original": replace, **payload}
        self.slack.respond(response_url=self.response_url, payload=payload)
