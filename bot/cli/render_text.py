"""Render an ``Answer`` for a terminal (rich). Pure: no I/O."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from retrieval.models import Answer, Citation

NO_COVERAGE = "No grounded answer: the playbooks do not answer this, so I would rather not guess."
OFF_TOPIC = (
    "That is outside what I can answer: I cover smart-city stakeholders, privacy and "
    "surveillance oversight, IoT security, data sharing, procurement and funding."
)
TOO_SPECIFIC = (
    "The playbooks cover this topic, but not the specific detail asked for (a price, a count, "
    "a product, a person, a date or a law). Ask a curator."
)


def read_as(answer: Answer) -> str:
    """``Searched “utilites” as “utilities”.``: the spelling corrections, for the reader."""
    fixes = ", ".join(f"“{c.typed}” as “{c.read_as}”" for c in answer.corrections)
    return f"Searched {fixes}."


def refusal_text(answer: Answer) -> str:
    if answer.refusal == "off-topic":
        return OFF_TOPIC
    return TOO_SPECIFIC if answer.refusal == "too-specific" else NO_COVERAGE


def answer_renderable(answer: Answer) -> Group:
    """A rich renderable; document text goes in as ``Text`` so it is never parsed as markup."""
    parts: list[Text] = [Text(read_as(answer), style="dim")] if answer.corrections else []
    if answer.abstained:
        parts.append(Text(refusal_text(answer), style="bold yellow"))
        if answer.closest_topics:
            parts.append(Text("Nearest in the playbooks: " + "; ".join(answer.closest_topics)))
    else:
        body = Text()
        for s in answer.lead:
            body.append(s.shown + " ")
            body.append(f"[{s.citation}] ", style="cyan")
        parts.append(body)
        if answer.more:
            parts.append(Text("\nAlso in the playbooks", style="bold"))
            parts += [_item(s.shown, s.citation) for s in answer.more]
        if answer.actions:
            parts.append(Text("\nWhat to do next", style="bold"))
            parts += [_item(a.text, a.citation) for a in answer.actions]
        if answer.peers:
            parts.append(Text("\nPeer cities", style="bold"))
            parts += [_item(f"{p.city}: {p.summary}", p.citation) for p in answer.peers]
        parts.append(Text("\nSources", style="bold"))
        for c in answer.citations:
            line = Text(f"[{c.number}] ", style="cyan")
            line.append(c.label)
            line.append(f"  {citation_location(c)}", style="dim")
            parts.append(line)
    parts.append(
        Text(f"\nSearched {answer.documents_searched} playbooks and case notes.", style="dim")
    )
    return Group(*parts)


def citation_location(citation: Citation) -> str:
    """Where to read it: the playbook link (ADVISOR_PLAYBOOKS_URL) or the file's path, then
    the first public source as a secondary link."""
    where = f"<{citation.url}>" if citation.url else f"({citation.path})"
    return f"{where} source: <{citation.sources[0]}>" if citation.sources else where


def _item(text: str, citation: int) -> Text:
    line = Text("  • ")
    line.append(text)
    line.append(f" [{citation}]", style="cyan")
    return line
