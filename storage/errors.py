"""Errors raised by the storage layer.

The tree::

    StorageError
    ├── NotFound              a referenced row is missing (where ``None`` would be ambiguous)
    ├── Conflict              a unique rule was broken
    │   └── DuplicateGroup    a working group with that name already exists
    ├── PermissionDenied      the acting user may not do this (owner, lead or admin rules)
    └── InvalidValue          a value outside the allowed set (status, role, surface, response)

Callers at the edges (Slack listeners, CLI) turn these into short messages; background
jobs log them. Database driver errors (``sqlalchemy.exc.OperationalError``) are not wrapped:
``storage.retry.retry_transient`` decides which of them are worth another attempt.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every storage error."""


class NotFound(StorageError):
    """A referenced row does not exist."""


class Conflict(StorageError):
    """A unique rule was broken."""


class DuplicateGroup(Conflict):
    """A working group with that name already exists."""

    def __init__(self, name: str) -> None:
        super().__init__(f"A working group named {name!r} already exists.")
        self.name = name


class PermissionDenied(StorageError):
    """The acting user may not perform the action."""

    def __init__(self, message: str, *, actor_user_id: str) -> None:
        super().__init__(message)
        self.actor_user_id = actor_user_id


class InvalidValue(StorageError):
    """A value outside the allowed set."""
