"""``--wall-clock=ISO``: run the whole suite with the wall clock moved, to prove no test
depends on today's date, weekday or hour.

time-machine moves ``datetime.now``, ``date.today`` and ``time.time`` for every thread of
this process (so real APScheduler threads and bolt's signature check see the moved time),
and it leaves sockets and monotonic clocks alone. libfaketime cannot be used: it breaks the
suite's loopback servers. The clock keeps ticking from the given instant.

Tests marked ``separate_process`` start a process of their own, which keeps the real clock;
they are deselected in a moved-clock run and reported as such. ``.ci/run`` runs the suite
this way on a Saturday and on a Sunday late evening UTC, under far-off ``TZ`` values.
"""

from __future__ import annotations

from datetime import datetime

import pytest

OPTION = "--wall-clock"
_traveller: list[object] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION,
        default=None,
        metavar="ISO",
        help="Move the wall clock to this aware ISO time for the whole session "
        "(e.g. 2026-11-28T23:30:00+00:00); tests of separate processes are deselected.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "separate_process: starts a process of its own, which keeps the real wall clock "
        "(left out of --wall-clock runs)",
    )
    raw = config.getoption(OPTION)
    if not raw:
        return
    when = datetime.fromisoformat(raw)
    if when.tzinfo is None:
        raise pytest.UsageError(f"{OPTION} needs an offset, e.g. {raw}+00:00")
    import time_machine  # only needed for this mode

    traveller = time_machine.travel(when, tick=True)
    traveller.start()
    _traveller.append(traveller)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption(OPTION):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("separate_process") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str | None:
    raw = config.getoption(OPTION)
    return (
        f"wall clock moved to {raw} (now {datetime.now().astimezone().isoformat()})"
        if raw
        else None
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    while _traveller:
        _traveller.pop().stop()  # type: ignore[attr-defined]
