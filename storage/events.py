"""Processed Slack events, so a re-sent ``event_id`` is handled at most once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.models import ProcessedEvent


def claim_event(session: Session, *, event_id: str, now: datetime, ttl: timedelta) -> bool:
    """True the first time ``event_id`` is seen (and records it), False on every repeat."""
    return claim_events(session, event_ids=[event_id], now=now, ttl=ttl)


def claim_events(
    session: Session, *, event_ids: Sequence[str], now: datetime, ttl: timedelta
) -> bool:
    """True if none of ``event_ids`` was seen before, recording all of them in one commit;
    False (recording none) if any was."""
    unique = list(dict.fromkeys(event_ids))
    session.add_all(
        ProcessedEvent(event_id=key, received_at=now, expires_at=now + ttl) for key in unique
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def purge_expired_events(session: Session, *, now: datetime) -> int:
    """Delete records whose expiry has passed; return how many went."""
    result = session.execute(delete(ProcessedEvent).where(col(ProcessedEvent.expires_at) < now))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
