"""Writes keyed by a unique constraint, safe when two processes race for the same key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

Row = TypeVar("Row")


def insert_unique(session: Session, row: Row) -> Row | None:
    """Insert and commit ``row``; ``None`` if a unique key says it already exists."""
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return row


def upsert(
    session: Session,
    *,
    find: Callable[[], Row | None],
    make: Callable[[], Row],
    change: Callable[[Row], None],
) -> Row:
    """The row ``find`` returns, or a new one from ``make``, with ``change`` applied,
    committed. When another process inserted the same key first, the insert loses once and
    the second attempt changes the winner's row."""
    for _attempt in range(2):
        row = find()
        if row is None:
            row = make()
        change(row)
        session.add(row)
        try:
            session.commit()
            return row
        except IntegrityError:
            session.rollback()
    raise RuntimeError("the row was neither found nor inserted")
