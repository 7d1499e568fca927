"""One watchdog thread for every answer's deadline, however many answers are waiting.

``Deadlines.at(seconds, action)`` runs ``action`` after ``seconds`` unless the returned
``Deadline`` is cancelled first. A burst of a thousand queued questions costs a heap entry
each, not a thread each. Actions run on a small pool, so one slow Slack call does not hold
up the others; an action's error is logged by type and never stops the watchdog.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)
ACTION_THREADS = 4


class Deadline:
    """A pending action; ``cancel()`` before it is due and it never runs."""

    __slots__ = ("_action", "_cancelled")

    def __init__(self, action: Callable[[], None]) -> None:
        self._action = action
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled


class Deadlines:
    """A heap of deadlines served by one daemon thread (started on first use)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._actions = ThreadPoolExecutor(ACTION_THREADS, thread_name_prefix="deadline")

    def at(self, seconds: float, action: Callable[[], None]) -> Deadline:
        """Run ``action`` in ``seconds`` unless cancelled (or the watchdog is closed)."""
        deadline = Deadline(action)
        with self._cond:
            if self._closed:
                deadline.cancel()
                return deadline
            heapq.heappush(self._heap, (self._clock() + seconds, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()
        return deadline

    def pending(self) -> int:
        with self._cond:
            return sum(1 for _, _, d in self._heap if not d.cancelled)

    def _serve(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    while self._heap and self._heap[0][2].cancelled:
                        heapq.heappop(self._heap)
                    if self._heap and self._heap[0][0] <= self._clock():
                        break
                    wait = self._heap[0][0] - self._clock() if self._heap else None
                    self._cond.wait(wait)
                if self._closed:
                    return
                _, _, due = heapq.heappop(self._heap)
            if not due.cancelled:
                self._actions.submit(self._run, due)

    @staticmethod
    def _run(due: Deadline) -> None:
        if due.cancelled:
            return
        try:
            due._action()
        except Exception as error:  # a deadline action must never kill the watchdog
            log.error("deadline action failed: %s", type(error).__name__)

    def close(self) -> None:
        """Drop every pending deadline and stop the watchdog (after in-flight actions)."""
        with self._cond:
            self._closed = True
            for _, _, deadline in self._heap:
                deadline.cancel()
            self._heap.clear()
            self._cond.notify_all()
        self._actions.shutdown(wait=True)
