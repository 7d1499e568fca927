"""Reading the words after ``/advisor group …`` and ``/advisor commit …``: pure, no I/O.

Slack escapes what a person picked from its menus (the manifest sets ``should_escape``):
a user becomes ``<@U123|maria>``, a channel ``<#C123|privacy>``. Only those escapes name a
user or a channel; a plain ``@maria`` is text and never an identity. Quotes group words
(straight or the curly ones phones type): ``commit "Draft the policy" due next friday``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'"([^"]*)"?|(<[^>]*>)|(\S+)')
_USER = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_CURLY = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


class UsageError(ValueError):
    """The words do not fit the command's usage line (the message says what is missing)."""


@dataclass(frozen=True)
class Token:
    text: str
    quoted: bool = False

    @property
    def user_id(self) -> str | None:
        match = None if self.quoted else _USER.match(self.text)
        return match[1] if match else None

    @property
    def channel_id(self) -> str | None:
        match = None if self.quoted else _CHANNEL.match(self.text)
        return match[1] if match else None

    def is_word(self, word: str) -> bool:
        return not self.quoted and self.text.lower() == word


def tokenize(text: str) -> list[Token]:
    """Split into words, keeping quoted phrases and Slack escapes whole."""
    tokens = []
    for match in _TOKEN.finditer(text.translate(_CURLY)):
        quoted, escape, word = match.groups()
        if quoted is not None:
            tokens.append(Token(quoted.strip(), quoted=True))
        else:
            tokens.append(Token(escape or word))
    return tokens


def split_option(tokens: list[Token], keyword: str) -> tuple[list[Token], str | None]:
    """Take ``keyword <value>`` out of ``tokens``: the rest and the value (``None`` if absent)."""
    for index, token in enumerate(tokens):
        if token.is_word(keyword):
            if index + 1 >= len(tokens):
                raise UsageError(f"`{keyword}` needs a value after it.")
            return tokens[:index] + tokens[index + 2 :], tokens[index + 1].text
    return tokens, None


def words(tokens: list[Token]) -> str:
    return " ".join(token.text for token in tokens).strip()


@dataclass(frozen=True)
class GroupCreateArgs:
    name: str
    channel_id: str | None
    timezone: str | None
    checkins: str | None
    topic: str | None = None


def parse_group_create(text: str) -> GroupCreateArgs:
    """``<name> [#channel] [tz <IANA>] [checkins "<spec>"] [topic "<topic>"]``."""
    tokens, timezone = split_option(tokenize(text), "tz")
    tokens, checkins = split_option(tokens, "checkins")
    tokens, topic = split_option(tokens, "topic")
    channels = [t.channel_id for t in tokens if t.channel_id]
    if len(channels) > 1:
        raise UsageError("Give one channel for the group.")
    name = words([t for t in tokens if not t.channel_id])
    if not name:
        raise UsageError("The group needs a name.")
    return GroupCreateArgs(name, channels[0] if channels else None, timezone, checkins, topic)


def parse_group_schedule(text: str) -> tuple[str, str, str | None]:
    """``<name> "<spec>" [tz <IANA>]``: the group name, the spec and an optional timezone."""
    tokens, timezone = split_option(tokenize(text), "tz")
    quoted = [t for t in tokens if t.quoted]
    if len(quoted) != 1:
        raise UsageError('Put the schedule in quotes, e.g. "mon,thu 09:30".')
    name = words([t for t in tokens if not t.quoted])
    if not name:
        raise UsageError("Say which group.")
    return name, quoted[0].text, timezone


@dataclass(frozen=True)
class CommitArgs:
    title: str
    due: str
    owner_user_id: str | None = None
    channel_id: str | None = None
    group_name: str | None = None
    stray: list[str] = field(default_factory=list)


def parse_commit(text: str) -> CommitArgs:
    """``"<title>" due <date> [@owner] [#group]`` (the group as a channel or ``#name``)."""
    tokens = tokenize(text)
    due_at = next((i for i, t in enumerate(tokens) if t.is_word("due")), None)
    if due_at is None:
        raise UsageError(
            "Say when it is due: `due 2026-12-15`, `due next friday`, `due in 2 weeks`."
        )
    title = words(tokens[:due_at])
    if not title:
        raise UsageError("Say what will be done, in quotes.")
    owners, channels, names, date_words, stray = [], [], [], [], []
    for token in tokens[due_at + 1 :]:
        if token.user_id:
            owners.append(token.user_id)
        elif token.channel_id:
            channels.append(token.channel_id)
        elif not token.quoted and token.text.startswith("#") and len(token.text) > 1:
            names.append(token.text[1:])
        elif not token.quoted and token.text.startswith(("@", "<@")):
            stray.append(token.text)
        else:
            date_words.append(token)
    if len(owners) > 1 or len(channels) + len(names) > 1:
        raise UsageError("Give at most one owner and one group.")
    if not date_words:
        raise UsageError("Say when it is due after `due`.")
    return CommitArgs(
        title=title,
        due=words(date_words),
        owner_user_id=owners[0] if owners else None,
        channel_id=channels[0] if channels else None,
        group_name=names[0] if names else None,
        stray=stray,
    )


def parse_commitment_id(text: str) -> int | None:
    """``12`` or ``#12``; ``None`` for anything else."""
    cleaned = text.strip().removeprefix("#")
    return int(cleaned) if cleaned.isdigit() and len(cleaned) < 10 else None
