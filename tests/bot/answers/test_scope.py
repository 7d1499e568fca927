"""Inline scope words and how they combine with a channel's defaults (pure)."""

from __future__ import annotations

import pytest

from bot.answers.scope import ScopeError, combine, parse_inline
from retrieval.models import Filters


def test_inline_words_are_taken_off_the_question() -> None:
    text, filters = parse_inline('in:case-notes city:"San Jose" tags:Cameras,ALPR how? kind:guides')
    assert text == "how?"
    assert filters == Filters(
        kinds=("case-note", "playbook"), tags=("cameras", "alpr"), cities=("San Jose",)
    )
    assert parse_inline("email me at ops:desk please") == ("email me at ops:desk please", Filters())
    assert parse_inline("city:New_York budgets")[1].cities == ("New York",)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ScopeError, match="use playbooks or case-notes"):
        parse_inline("in:memos what?")


def test_an_inline_dimension_replaces_the_channels_and_the_rest_stays() -> None:
    channel = Filters(kinds=("playbook",), tags=("cameras",))
    scope = combine(channel, Filters(cities=("Seattle",), kinds=("case-note",)))
    assert scope.filters == Filters(kinds=("case-note",), tags=("cameras",), cities=("Seattle",))
    assert scope.from_channel and scope.inline
    assert scope.describe() == (
        "case notes · tag cameras · city Seattle (this channel's scope, narrowed by the question)"
    )
    assert combine(None, Filters()).describe() is None  # the whole library: nothing to say
    assert not combine(channel, Filters(kinds=("case-note",), tags=("x",))).from_channel


def test_a_quote_left_open_is_read_not_crashed_on() -> None:
    """Regression: ``city:"Seattle`` (no closing quote) raised ValueError from shlex, which
    the asking path turned into a generic failure instead of an answer."""
    assert parse_inline('who keeps footage city:"Seattle') == (
        "who keeps footage",
        Filters(cities=("Seattle",)),
    )
    assert parse_inline("tag:'cameras what?")[1].tags == ("cameras",)
