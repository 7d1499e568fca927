"""The process-wide token bucket that paces check-in posts, on a fake clock."""

from __future__ import annotations

import threading

import pytest

from bot.scheduling.rate_limit import TokenBucket


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_one_slot_per_interval_and_refill_over_time() -> None:
    clock, slept = _Clock(), []
    bucket = TokenBucket(per_second=4, burst=2, clock=clock, sleep=slept.append)
    waits = [bucket.acquire() for _ in range(4)]
    assert waits == [0.0, 0.0, 0.25, 0.5]
    assert slept == [0.25, 0.5]
    clock.now += 0.5  # the two reserved slots are now used up: back to zero
    assert bucket.acquire() == 0.25
    clock.now += 10  # idle: refills to the burst, never beyond
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.25]


def test_concurrent_callers_never_share_a_slot() -> None:
    clock, slept = _Clock(), []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            slept.append(seconds)

    bucket = TokenBucket(per_second=10, burst=1, clock=clock, sleep=sleep)
    threads = [threading.Thread(target=bucket.acquire) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(round(s, 6) for s in slept) == [round(k / 10, 6) for k in range(1, 20)]


@pytest.mark.parametrize(("per_second", "burst"), [(0, 1), (1, 0)])
def test_unusable_settings_are_refused(per_second: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBucket(per_second=per_second, burst=burst)
