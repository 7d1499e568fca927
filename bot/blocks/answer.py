"""An ``Answer`` rendered as Block Kit, split into as many messages as Slack's limits need.

Every piece of text that came from the question or a playbook is escaped; the only live
links are the sources, built from front-matter URLs with ``bot.slack.escape.link``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlparse

from bot.blocks.layout import (
    FALLBACK_LIMIT,
    Block,
    actions,
    button,
    context,
    divider,
    sections,
    split_messages,
    truncate,
)
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn, link
from retrieval.models import Answer, Citation, Sentence

QUESTION_ECHO_LIMIT = 300
BUTTON_VALUE_LIMIT = 2000

# action_ids, shared with bot.listeners.actions
HELPFUL = "feedback_helpful"
NOT_HELPFUL = "feedback_not_helpful"
MAKE_COMMITMENT = "make_commitment"
ASK_PERSON = "ask_person"
SHARE = "share_answer"


@dataclass(frozen=True)
class RenderOptions:
    """What the buttons under an answer carry and which of them to show."""

    question_log_id: int | None = None
    shareable: bool = False  # an answer only the asker sees: offer "Share in channel"
    ask_person: bool = True  # curators are configured
    shared_by: str | None = None  # a trusted user mention, for answers shared to a channel
    scope: str | None = None  # the filters the answer was searched with (``bot.answers.scope``)


@dataclass(frozen=True)
class RenderedAnswer:
    """Fallback ``text`` plus one or more block lists (one per Slack message)."""

    text: str
    messages: list[list[Block]]


def render_answer(answer: Answer, options: RenderOptions) -> RenderedAnswer:
    """The whole answer as Slack messages, within every Slack limit."""
    blocks = [*_echo(answer.question, options.shared_by)]
    if answer.corrections:
        fixes = ", ".join(
            msg.READ_AS_ONE.format(typed=escape_mrkdwn(c.typed), read_as=escape_mrkdwn(c.read_as))
            for c in answer.corrections
        )
        blocks.append(context(msg.READ_AS.format(fixes=fixes)))
    if answer.abstained:
        blocks += _abstention(answer)
    else:
        blocks += _body(answer)
    if options.scope:
        blocks.append(context(msg.SCOPE_USED.format(scope=escape_mrkdwn(options.scope))))
    blocks.append(context(msg.SEARCHED.format(count=answer.documents_searched)))
    blocks += _buttons(answer, options)
    return RenderedAnswer(text=fallback_text(answer), messages=split_messages(blocks))


def fallback_text(answer: Answer) -> str:
    """The notification text: the first sentences, escaped, short."""
    if answer.abstained or not answer.sentences:
        return msg.ABSTAIN_FALLBACK
    summary = " ".join(sentence.shown for sentence in answer.sentences[:2])
    return truncate(msg.FALLBACK_TEXT.format(summary=escape_mrkdwn(summary)), FALLBACK_LIMIT)


def _echo(question: str, shared_by: str | None) -> list[Block]:
    echo = msg.YOU_ASKED.format(question=escape_mrkdwn(truncate(question, QUESTION_ECHO_LIMIT)))
    if shared_by:
        echo = f"{msg.SHARED_BY.format(user=shared_by)} · {echo}"
    return [context(echo)]


def _quoted(sentence: Sentence) -> str:
    """A quoted passage, escaped, after the place it happened in bold when it has one."""
    text = escape_mrkdwn(sentence.text)
    return f"*{escape_mrkdwn(sentence.place)}:* {text}" if sentence.place else text


def _body(answer: Answer) -> list[Block]:
    text = " ".join(f"{_quoted(s)} [{s.citation}]" for s in answer.lead)
    blocks = sections(text) if text else []
    if answer.more:
        points = [f"• {_quoted(s)} [{s.citation}]" for s in answer.more]
        blocks += sections("\n".join([msg.MORE_POINTS, *points]))
    if answer.actions:
        steps = [
            f"{n}. {escape_mrkdwn(a.text)} [{a.citation}]"
            for n, a in enumerate(answer.actions, start=1)
        ]
        blocks += sections("\n".join([msg.NEXT_STEPS, *steps]))
    if answer.peers:
        peers = [
            f"• *{escape_mrkdwn(p.city)}*: {escape_mrkdwn(p.title)}. "
            f"{escape_mrkdwn(p.summary)} [{p.citation}]"
            for p in answer.peers
        ]
        blocks += sections("\n".join([msg.PEER_CITIES, *peers]))
    if answer.citations:
        blocks += sections("\n".join([msg.SOURCES, *map(source_line, answer.citations)]))
    return blocks


def source_line(citation: Citation) -> str:
    """``[n] title › section``: a link to the playbook at that heading when
    ``ADVISOR_PLAYBOOKS_URL`` is set, else the label with the file's path; the first public
    source from the front matter follows as a secondary link."""
    label = citation.label
    if citation.url:
        shown = link(citation.url, label)
    else:
        shown = f"{escape_mrkdwn(label)} ({escape_mrkdwn(citation.path)})"
    if citation.sources:
        source = citation.sources[0]
        shown += " · " + link(source, msg.SOURCE_LINK.format(host=source_host(source)))
    return f"[{citation.number}] {shown}"


def source_host(url: str) -> str:
    """The host a source URL points at, for its link label (``www.`` dropped)."""
    host = urlparse(url).hostname or "source"
    return host.removeprefix("www.")


def _abstention(answer: Answer) -> list[Block]:
    if answer.refusal == "off-topic":
        return [*sections(msg.OFF_TOPIC), context(msg.OFF_TOPIC_NEXT)]
    blocks = sections(msg.TOO_SPECIFIC if answer.refusal == "too-specific" else msg.ABSTAINED)
    if answer.closest_topics:
        topics = [f"• {escape_mrkdwn(topic)}" for topic in answer.closest_topics]
        blocks += sections("\n".join([msg.CLOSEST_TOPICS, *topics]))
    blocks.append(context(msg.ABSTAIN_NEXT))
    return blocks


def _buttons(answer: Answer, options: RenderOptions) -> list[Block]:
    if options.question_log_id is None:
        return []
    value = str(options.question_log_id)
    elements = [
        button(msg.HELPFUL, action_id=HELPFUL, value=value),
        button(msg.NOT_HELPFUL, action_id=NOT_HELPFUL, value=value),
    ]
    if answer.actions and not answer.abstained:
        draft = commitment_value(
            options.question_log_id,
            [a.text for a in answer.actions],
            cited=[_cited(answer, a.citation) for a in answer.actions],
        )
        elements.append(button(msg.MAKE_COMMITMENT, action_id=MAKE_COMMITMENT, value=draft))
    if options.ask_person:
        elements.append(button(msg.ASK_PERSON, action_id=ASK_PERSON, value=value))
    if options.shareable:
        elements.append(button(msg.SHARE, action_id=SHARE, value=value, style="primary"))
    return [divider(), actions(elements, block_id=f"answer:{value}")]


def commitment_value(
    question_log_id: int, steps: list[str], *, cited: list[dict[str, str] | None] | None = None
) -> str:
    """The commitment button's value: the log id and as many next steps as fit in 2,000,
    with (``c``) the playbook section each kept step cites (``title``, ``section``, ``path``),
    once each, first step's first, so the commitment keeps the answer's citations."""
    kept: list[str] = []
    sections_cited: list[dict[str, str]] = []
    for index, step in enumerate(steps):
        source = (cited or [])[index] if index < len(cited or []) else None
        more = [source] if source is not None and source not in sections_cited else []
        candidate = {"q": question_log_id, "a": [*kept, step[:300]], "c": sections_cited + more}
        if len(json.dumps(candidate)) > BUTTON_VALUE_LIMIT:
            break
        kept.append(step[:300])
        sections_cited += more
    value: dict[str, object] = {"q": question_log_id, "a": kept}
    if sections_cited:
        value["c"] = sections_cited
    return json.dumps(value)


def _cited(answer: Answer, number: int) -> dict[str, str] | None:
    """The playbook section behind citation ``number`` of ``answer``, short enough to carry."""
    found = next((c for c in answer.citations if c.number == number), None)
    if found is None:
        return None
    return {"title": found.title[:150], "section": found.section[:200], "path": found.path[:200]}


def help_blocks() -> list[Block]:
    return sections(msg.HELP)


def notice_blocks(text: str) -> list[Block]:
    """A short status message (failure, busy, question problem) as blocks."""
    return sections(text)
