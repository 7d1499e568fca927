"""When a snoozed check-in comes back. The rule (an owner may put off an unanswered
check-in once) is the conditional update in ``storage.checkins.snooze_checkin``."""

from __future__ import annotations

from datetime import datetime, timedelta

DEFAULT_SNOOZE = timedelta(hours=24)


def snooze_until(*, now: datetime, delay: timedelta = DEFAULT_SNOOZE) -> datetime:
    """When a check-in snoozed at ``now`` comes back as its reminder."""
    return now + delay
