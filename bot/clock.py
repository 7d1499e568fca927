"""The one wall clock. Everything time-based takes a ``Clock`` as a parameter; only the
composition roots (``bot.services.build_services`` and the CLI's root callback) pass
``utc_clock``, so tests and the moved-clock suite control time in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_clock() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
