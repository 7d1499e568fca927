"""One open *Ask a person* request per person and answer.

A double click on *Ask a person* recorded two requests and tagged the curators twice. A
partial unique index on (question_log_id, user_id) over open requests now makes the second
click find the first. Duplicates already recorded are folded first: the earliest open
request of each pair stays, the later copies are deleted (same person, same answer, nothing
else in the row).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    op.execute(
        "DELETE FROM person_request WHERE resolved_at IS NULL AND id NOT IN ("
        " SELECT MIN(id) FROM person_request WHERE resolved_at IS NULL"
        " GROUP BY question_log_id, user_id)"
    )
    op.create_index(
        "uq_person_request_open",
        "person_request",
        ["question_log_id", "user_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("uq_person_request_open", table_name="person_request")
