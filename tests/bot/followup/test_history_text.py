"""``/advisor commitments --all`` stays within one Slack message however long the history
(regression: every commitment and every step of its trail went into one reply, which Slack
refuses past 50 blocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.blocks.checkins import TRAIL_LIMIT, history_lines
from bot.blocks.layout import sections
from bot.followup.history import HISTORY_LIMIT, HistoryRow, history_text
from checkins.history import TrailEntry
from storage.models import Commitment

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def commitment(number: int) -> Commitment:
    return Commitment(
        id=number,
        owner_user_id="UOWNER01",
        title=f"Commitment {number} " + "x" * 150,
        due_date=date(2026, 12, 1),
        group_id=1,
        status="done",
        created_by="UOWNER01",
        created_at=T0,
        updated_at=T0,
    )


def trail(steps: int) -> list[TrailEntry]:
    return [
        TrailEntry(T0 + timedelta(weeks=i), "on_track", f"week {i} " + "n" * 95, "check-in")
        for i in range(steps)
    ]


def test_a_long_trail_shows_its_newest_steps_and_counts_the_rest() -> None:
    (_line, steps) = history_lines([(commitment(1), "privacy", trail(TRAIL_LIMIT + 5))])
    assert steps.strip().startswith("… 5 earlier →")
    assert f"week {TRAIL_LIMIT + 4} " in steps and "week 4 " not in steps and "week 5 " in steps
    (_line, short) = history_lines([(commitment(2), "privacy", trail(2))])
    assert "earlier" not in short and "week 0 " in short


def test_a_year_of_history_fits_one_reply() -> None:
    rows = [HistoryRow(commitment(i), "privacy", trail(52)) for i in range(60)]
    text = history_text(rows)
    assert len(sections(text)) <= 50
    assert text.count("• `#") == HISTORY_LIMIT
    assert text.endswith(f"… and {60 - HISTORY_LIMIT} older commitments not shown._")
