"""A group digest as plain data: the status table, overdue items, blockers, unreachable owners.

Rendering (Block Kit, CLI) is someone else's job; this only decides what the digest says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from storage.models import CheckIn, CheckInResponse, Commitment, CommitmentStatus, WorkingGroup

GONE_ERRORS = frozenset({"user_not_found", "account_inactive", "user_disabled"})
RECENTLY_DONE = timedelta(days=7)


@dataclass(frozen=True)
class DigestRow:
    """One line of the status table."""

    commitment_id: int
    title: str
    owner_user_id: str
    due_date: date
    status: str  # commitment status
    last_response: str | None  # latest check-in answer, if any
    days_overdue: int  # 0 unless open and past due

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class Blocker:
    """A commitment whose owner says it is blocked, and why."""

    commitment_id: int
    title: str
    owner_user_id: str
    note: str | None


@dataclass(frozen=True)
class DigestContent:
    """Everything the digest shows, in display order."""

    group_name: str
    today: date
    rows: list[DigestRow] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    unreachable_owners: list[str] = field(default_factory=list)
    away: list[tuple[str, date]] = field(default_factory=list)  # (user id, away until)
    missing: list[str] = field(default_factory=list)  # stakeholder labels missing from the table

    @property
    def overdue_count(self) -> int:
        return sum(row.overdue for row in self.rows)


def latest_checkins(checkins: Iterable[CheckIn]) -> dict[int, CheckIn]:
    """The most recent check-in per commitment id."""
    latest: dict[int, CheckIn] = {}
    for checkin in sorted(checkins, key=lambda c: (c.scheduled_for, c.id or 0)):
        latest[checkin.commitment_id] = checkin
    return latest


def build_digest(
    *,
    group: WorkingGroup,
    commitments: Iterable[Commitment],
    latest: Mapping[int, CheckIn],
    today: date,
    now: datetime,
) -> DigestContent:
    """The digest for ``group``: open and recently finished commitments, overdue first."""
    content = DigestContent(group_name=group.name, today=today)
    for commitment in commitments:
        if commitment.id is None or not _shown(commitment, now=now):
            continue
        checkin = latest.get(commitment.id)
        content.rows.append(_row(commitment, checkin, today=today))
        if checkin is not None and checkin.response == CheckInResponse.BLOCKED:
            content.blockers.append(
                Blocker(commitment.id, commitment.title, commitment.owner_user_id, checkin.note)
            )
        gone = checkin is not None and checkin.delivery_error in GONE_ERRORS
        if gone and commitment.owner_user_id not in content.unreachable_owners:
            content.unreachable_owners.append(commitment.owner_user_id)
    content.rows.sort(key=lambda r: (not r.overdue, r.status != CommitmentStatus.OPEN, r.due_date))
    return content


def _shown(commitment: Commitment, *, now: datetime) -> bool:
    if commitment.status == CommitmentStatus.OPEN:
        return True
    done_at = commitment.completed_at
    return (
        commitment.status == CommitmentStatus.DONE
        and done_at is not None
        and (now - done_at <= RECENTLY_DONE)
    )


def _row(commitment: Commitment, checkin: CheckIn | None, *, today: date) -> DigestRow:
    late = (today - commitment.due_date).days if commitment.status == CommitmentStatus.OPEN else 0
    return DigestRow(
        commitment_id=commitment.id or 0,
        title=commitment.title,
        owner_user_id=commitment.owner_user_id,
        due_date=commitment.due_date,
        status=commitment.status,
        last_response=checkin.response if checkin is not None else None,
        days_overdue=max(late, 0),
    )
