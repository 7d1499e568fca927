"""Curators' loop (issue 13): per-channel answer scope, Ask-a-person requests, curator
digest claims, and the sections each logged answer cited.

Written out explicitly (plain SQLAlchemy types, no imports from the app).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question_log") as batch:
        batch.add_column(
            sa.Column("cited_sections", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("question_log") as batch:
        batch.alter_column("cited_sections", server_default=None)
    op.create_table(
        "channel_scope",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.Boolean(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("cities", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_channel_scope")),
    )
    op.create_table(
        "person_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_log_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_log_id"],
            ["question_log.id"],
            name=op.f("fk_person_request_question_log_id_question_log"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_request")),
    )
    op.create_index(
        op.f("ix_person_request_question_log_id"),
        "person_request",
        ["question_log_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_person_request_asked_at"), "person_request", ["asked_at"], unique=False
    )
    op.create_table(
        "curator_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curator_digest")),
        sa.UniqueConstraint("user_id", "period", name=op.f("uq_curator_digest_user_id_period")),
    )


def downgrade() -> None:
    op.drop_table("curator_digest")
    op.drop_index(op.f("ix_person_request_asked_at"), table_name="person_request")
    op.drop_index(op.f("ix_person_request_question_log_id"), table_name="person_request")
    op.drop_table("person_request")
    op.drop_table("channel_scope")
    with op.batch_alter_table("question_log") as batch:
        batch.drop_column("cited_sections")
