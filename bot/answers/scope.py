"""Which part of the library answers a question: the channel's default filters, narrowed
for one question by inline words (``in:case-notes city:Seattle tag:cameras``).

Pure functions (no Slack, no database): ``parse_inline`` splits the words off a question,
``combine`` applies them over the channel's defaults (an inline dimension replaces the
channel's for that question), and ``Scope.describe`` is the line an answer shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.models import Filters

KIND_WORDS = {
    "playbook": "playbook",
    "playbooks": "playbook",
    "guide": "playbook",
    "guides": "playbook",
    "case-note": "case-note",
    "case-notes": "case-note",
    "casenote": "case-note",
    "casenotes": "case-note",
}
_TOKEN = re.compile(
    r"""(?<!\S)(in|kind|city|tag|tags):("[^"]*"|'[^']*'|\S+)""",
    re.IGNORECASE,
)


class ScopeError(ValueError):
    """Inline scope words that name nothing usable (the message says what is allowed)."""


def split_list(value: str) -> tuple[str, ...]:
    """``"a, b,c"`` -> ``("a", "b", "c")``, empty parts dropped."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def kind_of(word: str) -> str:
    """``case-notes`` -> ``case-note``; ``ScopeError`` for anything else."""
    found = KIND_WORDS.get(word.strip().lower())
    if found is None:
        raise ScopeError(f"unknown kind {word!r}: use playbooks or case-notes")
    return found


def parse_inline(text: str) -> tuple[str, Filters]:
    """The question without its scope words, and the filters those words ask for."""
    kinds: list[str] = []
    tags: list[str] = []
    cities: list[str] = []
    for match in _TOKEN.finditer(text):
        key, raw = match.group(1).lower(), match.group(2)
        value = _unquoted(raw)
        if key in ("in", "kind"):
            kinds += [kind_of(v) for v in split_list(value)]
        elif key == "city":
            cities += [value.replace("_", " ").strip()]
        else:
            tags += [v.lower() for v in split_list(value)]
    rest = " ".join(_TOKEN.sub(" ", text).split())
    return rest, Filters(
        kinds=tuple(dict.fromkeys(kinds)),
        tags=tuple(dict.fromkeys(tags)),
        cities=tuple(dict.fromkeys(c for c in cities if c)),
    )


def _unquoted(raw: str) -> str:
    """``"San Jose"`` -> ``San Jose``; a quote left open (``city:"Seattle``) is dropped."""
    if len(raw) >= 2 and raw[0] in "\"'" and raw[-1] == raw[0]:
        return raw[1:-1]
    return raw.strip("\"'")


@dataclass(frozen=True)
class Scope:
    """The filters a question was answered with, and where each part came from."""

    filters: Filters = field(default_factory=Filters)
    from_channel: bool = False  # the channel's defaults applied
    inline: bool = False  # the question narrowed them

    def describe(self) -> str | None:
        """``"case notes · tags cameras · city Seattle (this channel's scope)"``, or ``None``
        for the whole library."""
        parts = describe_filters(self.filters)
        if not parts:
            return None
        origin = [
            *(["this channel's scope"] if self.from_channel else []),
            *(["narrowed by the question"] if self.inline else []),
        ]
        return f"{parts} ({', '.join(origin)})" if origin else parts

    def to_dict(self) -> dict[str, object]:
        return {
            "kinds": list(self.filters.kinds),
            "tags": list(self.filters.tags),
            "cities": list(self.filters.cities),
            "from_channel": self.from_channel,
            "inline": self.inline,
        }


def describe_filters(filters: Filters) -> str:
    """``"case notes · tags a, b · city Seattle"``; empty for no filter."""
    parts = []
    if filters.kinds:
        parts.append(
            " or ".join("case notes" if k == "case-note" else "playbooks" for k in filters.kinds)
        )
    if filters.tags:
        parts.append(("tag " if len(filters.tags) == 1 else "tags ") + ", ".join(filters.tags))
    if filters.cities:
        parts.append(
            ("city " if len(filters.cities) == 1 else "cities ") + ", ".join(filters.cities)
        )
    return " · ".join(parts)


def combine(channel: Filters | None, inline: Filters) -> Scope:
    """The channel's defaults with each inline dimension replacing the channel's one."""
    base = channel or Filters()
    filters = Filters(
        kinds=inline.kinds or base.kinds,
        tags=inline.tags or base.tags,
        cities=inline.cities or base.cities,
    )
    used_channel = (
        (bool(base.kinds) and not inline.kinds)
        or (bool(base.tags) and not inline.tags)
        or (bool(base.cities) and not inline.cities)
    )
    return Scope(filters=filters, from_channel=used_channel, inline=not inline.empty)
