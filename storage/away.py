"""Away periods: a user's check-ins and reminders pause until ``back_at`` (issue 14).

One row per user (setting a new period replaces the old one). ``back_at`` is computed by
the caller from the date and the user's timezone (``checkins.away``); storage stores it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.models import AwayPeriod
from storage.unique import upsert


def set_away(
    session: Session, *, user_id: str, until: date, timezone: str, back_at: datetime, now: datetime
) -> AwayPeriod:
    """Record that ``user_id`` is away until ``back_at``, replacing any earlier period."""

    def change(row: AwayPeriod) -> None:
        row.until, row.timezone, row.back_at, row.set_at = until, timezone, back_at, now

    return upsert(
        session,
        find=lambda: session.exec(select(AwayPeriod).where(AwayPeriod.user_id == user_id)).first(),
        make=lambda: AwayPeriod(user_id=user_id, until=until, timezone=timezone, back_at=back_at),
        change=change,
    )


def clear_away(session: Session, *, user_id: str) -> bool:
    """End ``user_id``'s away period now; False if there was none."""
    row = session.exec(select(AwayPeriod).where(AwayPeriod.user_id == user_id)).first()
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def away_periods(
    session: Session, *, at: datetime, user_ids: Collection[str] | None = None
) -> dict[str, AwayPeriod]:
    """The away periods not over at ``at`` (``back_at`` after it), by user id."""
    query = select(AwayPeriod).where(col(AwayPeriod.back_at) > at)
    if user_ids is not None:
        if not user_ids:
            return {}
        query = query.where(col(AwayPeriod.user_id).in_(list(user_ids)))
    return {row.user_id: row for row in session.exec(query).all()}
