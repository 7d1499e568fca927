"""The snooze rule: an owner may put off an unanswered check-in once."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.models import CheckIn

DEFAULT_SNOOZE = timedelta(hours=24)


def can_snooze(checkin: CheckIn) -> bool:
    """Whether the check-in may still be snoozed (sent, unanswered, not snoozed before)."""
    return checkin.sent_at is not None and checkin.response is None and not checkin.snooze_used


def snooze_until(*, now: datetime, delay: timedelta = DEFAULT_SNOOZE) -> datetime:
    """When a check-in snoozed at ``now`` comes back as its reminder."""
    return now + delay
