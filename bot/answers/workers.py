"""A bounded pool for answers composed after the ack, drained on shutdown.

``submit`` refuses (returns False) when every worker is busy and the queue is full, so a
burst never grows memory without bound; the caller tells the user to ask again.
``drain`` stops new work and waits for what is in flight (SIGTERM lets answers finish).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class WorkerPool:
    """``workers`` threads and at most ``queue_size`` waiting jobs."""

    def __init__(self, *, workers: int, queue_size: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")
        self._slots = threading.BoundedSemaphore(workers + queue_size)
        self._closed = False
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> bool:
        """Run ``job`` in the background; False when the pool is full or shutting down."""
        with self._lock:
            if self._closed or not self._slots.acquire(blocking=False):
                return False
            self._executor.submit(self._run, job)
        return True

    def _run(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:  # a job must never kill a worker; the job reports to the user
            log.exception("background job failed")
        finally:
            self._slots.release()

    def drain(self) -> None:
        """Refuse new jobs and wait for every queued and running one to finish."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=True)

    @property
    def closed(self) -> bool:
        return self._closed
