"""In-memory model objects for the pure rule tests (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from storage.models import CheckIn, Commitment, WorkingGroup

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def group(**fields: Any) -> WorkingGroup:
    values: dict[str, Any] = {
        "id": 1,
        "name": "privacy",
        "channel_id": "CPRIV",
        "lead_user_id": "ULEAD",
        "timezone": "America/Los_Angeles",
        "checkin_schedule": "mon 09:00",
        "digest_schedule": "fri 15:00",
        "created_at": CREATED,
    }
    return WorkingGroup(**(values | fields))


def commitment(id: int, **fields: Any) -> Commitment:
    values: dict[str, Any] = {
        "id": id,
        "group_id": 1,
        "owner_user_id": f"U{id}",
        "title": f"task {id}",
        "due_date": date(2026, 6, 1),
        "created_by": "ULEAD",
        "status": "open",
        "created_at": CREATED,
        "updated_at": CREATED,
    }
    return Commitment(**(values | fields))


def checkin(id: int, commitment_id: int, **fields: Any) -> CheckIn:
    values: dict[str, Any] = {
        "id": id,
        "commitment_id": commitment_id,
        "period": "p",
        "scheduled_for": CREATED,
        "claimed_at": CREATED,
    }
    return CheckIn(**(values | fields))
