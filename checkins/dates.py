"""Due dates as people type them, resolved against a clock in the group's timezone.

Accepted (case-insensitive): ``2026-12-15``, ``today``, ``tomorrow``, a weekday (``friday``,
``fri``: the next one, today included), ``next friday`` (the next one after today),
``in 3 days``, ``in 2 weeks``, ``end of month``, ``end of week`` (the coming Friday).
Numeric dates with slashes or dots are refused as ambiguous, with the ISO form suggested.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from checkins.errors import AmbiguousDate, InvalidDueDate, PastDueDate
from checkins.schedule import load_timezone

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EXAMPLES = "2026-12-15, today, tomorrow, friday, next friday, in 3 days, in 2 weeks, end of month"

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMERIC = re.compile(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}$")
_IN = re.compile(r"^in (\d{1,3}|a|an|one) (day|days|week|weeks)$")


def today_in(*, now: datetime, timezone: str) -> date:
    """The calendar date of ``now`` in ``timezone``."""
    return now.astimezone(load_timezone(timezone)).date()


def parse_due_date(text: str, *, now: datetime, timezone: str) -> date:
    """Resolve ``text`` to a date on or after today in ``timezone``.

    Raises ``AmbiguousDate``, ``PastDueDate`` or ``InvalidDueDate`` with a message that
    says what to type instead.
    """
    cleaned = " ".join(text.strip().lower().split())
    today = today_in(now=now, timezone=timezone)
    resolved = _resolve(cleaned, today=today, original=text.strip())
    if resolved < today:
        raise PastDueDate(
            f"{resolved.isoformat()} is in the past (today is {today.isoformat()}). "
            "Pick today or a later date."
        )
    return resolved


def _resolve(cleaned: str, *, today: date, original: str) -> date:
    if iso := _ISO.match(cleaned):
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError as error:
            raise InvalidDueDate(f"{original!r} is not a real date ({error}).") from error
    if _NUMERIC.match(cleaned):
        raise AmbiguousDate(
            f"{original!r} is ambiguous (day or month first?). "
            "Write it as YYYY-MM-DD, e.g. 2026-12-11."
        )
    if (relative := _relative(cleaned, today=today)) is not None:
        return relative
    raise InvalidDueDate(f"I could not read {original!r} as a date. Try one of: {EXAMPLES}.")


def _relative(cleaned: str, *, today: date) -> date | None:
    fixed = {
        "today": today,
        "tomorrow": today + timedelta(days=1),
        "end of month": today.replace(day=calendar.monthrange(today.year, today.month)[1]),
        "end of week": _weekday_on_or_after(today, 4),
    }
    if cleaned in fixed:
        return fixed[cleaned]
    if amount := _IN.match(cleaned):
        count = 1 if amount[1] in ("a", "an", "one") else int(amount[1])
        return today + timedelta(days=count * (7 if amount[2].startswith("week") else 1))
    words = cleaned.split(" ")
    if len(words) == 2 and words[0] == "next" and (day := _weekday(words[1])) is not None:
        return _weekday_on_or_after(today + timedelta(days=1), day)
    if len(words) == 1 and (day := _weekday(words[0])) is not None:
        return _weekday_on_or_after(today, day)
    return None


def _weekday(word: str) -> int | None:
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def _weekday_on_or_after(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)
