"""A process-wide token bucket that paces outgoing Slack posts before Slack has to.

Slack's ``chat.postMessage`` allows about 1 message per second per channel and "several
hundred per minute" per workspace. Check-in DMs go to distinct channels, so the workspace
budget is the one concurrent group jobs share. Without pacing, they all send at once, get
429s, and use up their retries. ``TokenBucket.acquire()`` hands out one slot per post at a
steady rate after an initial burst. Callers wait outside the lock, so threads queue in
arrival order and no slot is given twice. Clock and sleep are injected for tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """``per_second`` slots per second, up to ``burst`` at once; thread-safe."""

    def __init__(
        self,
        *,
        per_second: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a token bucket needs per_second > 0 and burst >= 1")
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one slot, sleeping until it is due; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.per_second)
            self._updated = now
            self._tokens -= 1  # below zero: a slot reserved in the future
            wait = -self._tokens / self.per_second if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait
