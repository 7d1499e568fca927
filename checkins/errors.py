"""Errors raised by the check-in rules; messages are shown to the person who asked.

The tree::

    CheckinError
    ├── InvalidDueDate        a due date that cannot be understood
    │   ├── AmbiguousDate     ``12/11/2026``: day or month first? (suggests ISO)
    │   └── PastDueDate       a date before today in the group's timezone
    └── InvalidSchedule       a schedule spec that cannot be used
        ├── UnknownTimezone   not an IANA timezone name
        └── NeverFires        a valid-looking spec that matches no date (``0 0 31 2 *``)
"""

from __future__ import annotations


class CheckinError(ValueError):
    """Base class of every check-in rule error."""


class InvalidDueDate(CheckinError):
    """A due date that cannot be understood."""


class AmbiguousDate(InvalidDueDate):
    """A numeric date whose day and month order is unclear."""


class PastDueDate(InvalidDueDate):
    """A due date before today."""


class InvalidSchedule(CheckinError):
    """A schedule spec that cannot be used."""


class UnknownTimezone(InvalidSchedule):
    """Not an IANA timezone name."""


class NeverFires(InvalidSchedule):
    """A schedule that matches no date at all."""
