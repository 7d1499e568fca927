"""A commitment's status trail, oldest first: each check-in answer and each update.

An update that answered a check-in (or that a check-in counted) appears once, as the
update: the check-in it answered is not listed again. A commitment closed with ``/advisor done`` (no
check-in said so) ends with its closing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.models import CheckIn, Commitment, CommitmentStatus, StatusUpdate

Via = Literal["check-in", "update", "closed"]


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    status: str  # a check-in response, or the commitment's closing status
    note: str | None
    via: Via


def status_trail(
    commitment: Commitment, checkins: Iterable[CheckIn], updates: Iterable[StatusUpdate]
) -> list[TrailEntry]:
    """The trail of ``commitment`` from its check-ins and updates (any order)."""
    mine = [u for u in updates if u.commitment_id == commitment.id]
    counted = {u.checkin_id for u in mine if u.checkin_id is not None}
    entries = [
        TrailEntry(c.responded_at, c.response, c.note, "check-in")
        for c in checkins
        if c.commitment_id == commitment.id
        and c.response
        and c.responded_at
        and c.id not in counted
    ]
    entries += [TrailEntry(u.created_at, u.status, u.note, "update") for u in mine]
    entries.sort(key=lambda e: e.at)
    closed = commitment.status != CommitmentStatus.OPEN
    said = any(e.status == commitment.status for e in entries)
    if closed and not said:
        at = commitment.completed_at or commitment.updated_at
        entries.append(TrailEntry(at, commitment.status, None, "closed"))
    return entries
