"""Processed Slack events, so a re-sent ``event_id`` is handled at most once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.models import ProcessedEvent


def claim_event(session: Session, *, event_id: str, now: datetime, ttl: timedelta) -> bool:
    """True the first time ``event_id`` is seen (and records it), False on every repeat."""
    session.add(ProcessedEvent(event_id=event_id, received_at=now, expires_at=now + ttl))
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
