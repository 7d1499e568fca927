"""A small real playbook corpus for tests, written to a temp dir."""

from __future__ import annotations

from pathlib import Path

RETENTION = """Police want footage kept for months, IT pays for storage, and residents want little kept.

## Why this fight happens

Police want camera footage available when a crime is reported late. IT pays for storage and backup of every camera. Residents see stored footage as a risk of misuse.

## Setting the default

Start with a short default retention period of 30 days with automatic deletion. Extensions need a documented hold approved by the records manager.

### Evidence holds

A hold keeps specific footage past the default when it is evidence in a case.

## Actions

- Collect a year of police footage requests and chart their timing.
- Ask IT to price storage at two candidate retention periods.
- Propose a short default with automatic deletion and a hold process.

## Related

- [Seattle](../case-notes/seattle.md)
"""

CHARTER = """A working group needs a charter with decision rights.

## Decision rights

The charter names who decides, who is consulted and who is informed, in a RACI table.

| Role | Decides |
|---|---|
| Lead | Scope |
| Members | Schedule |

## Actions

- Write a one-page charter with a mandate and a sunset date.
- Agree a monthly meeting cadence and a tie-break rule.
"""

SEATTLE = """Seattle passed a surveillance ordinance in 2013 and rewrote it in 2017.

## What happened

The council required impact reports and votes on each surveillance technology.

## Collective-action lesson

A working group of community members reviews each technology before the council votes.
"""

PLAYBOOK_FRONT = (
    "title: {title}\nkind: playbook\ntags: [{tags}]\nupdated: 2026-01-01\nreview_by: 2099-01-01\n"
)


def write_doc(root: Path, relative: str, front: str, body: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def write_small_corpus(root: Path) -> Path:
    """Two playbooks and one case note, valid, cross-linked."""
    write_doc(
        root,
        "guides/retention.md",
        "id: footage-retention\n"
        + PLAYBOOK_FRONT.format(title="Camera footage retention", tags="privacy, cameras"),
        RETENTION,
    )
    write_doc(
        root,
        "guides/charter.md",
        PLAYBOOK_FRONT.format(title="Working group charter", tags="governance"),
        CHARTER,
    )
    write_doc(
        root,
        "case-notes/seattle.md",
        "title: Seattle surveillance ordinance\nkind: case-note\ncity: Seattle, WA, USA\n"
        "summary: Seattle made departments get council approval for surveillance tools.\n"
        "tags: [surveillance, oversight]\nsources: [https://www.seattle.gov/tech]\n"
        "updated: 2026-01-01\nreview_by: 2099-01-01\n",
        SEATTLE,
    )
    return root
