"""Escaping for text that goes into Slack mrkdwn.

Slack turns ``<!channel>``, ``<@U123>`` and ``<https://x|label>`` into broadcasts, mentions and
masked links. Escaping ``&``, ``<`` and ``>`` (Slack's documented control characters) makes
all three inert; a zero-width joiner after ``@`` also keeps plain ``@channel``, ``@here`` and
``@everyone`` from being parsed as broadcasts. Only links the renderer builds itself, from
front-matter URLs, are live (see ``link``).
"""

from __future__ import annotations

import re

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_ZWJ = "\u2060"  # word joiner: invisible, breaks Slack's broadcast parsing
_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$")


def escape_mrkdwn(text: str) -> str:
    """Make arbitrary user or document text safe to place inside mrkdwn."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + _ZWJ + m.group(1), text)


def token_label(label: str) -> str:
    """``label`` made safe after the ``|`` of a ``<…|label>`` token (a link, a date)."""
    return escape_mrkdwn(label).replace("|", "¦")


def link(url: str, label: str) -> str:
    """A live link with an escaped label, or just the escaped label if the URL is unsafe."""
    safe_label = token_label(label)
    if not _SAFE_URL.match(url):
        return safe_label
    return f"<{url}|{safe_label}>"


def mention(user_id: str) -> str:
    """A user mention built from a Slack user ID we trust (never from message text)."""
    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user_id):
        raise ValueError(f"not a Slack user ID: {user_id!r}")
    return f"<@{user_id}>"
