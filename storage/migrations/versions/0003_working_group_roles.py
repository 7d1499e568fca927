"""Working-group topics, member stakeholder roles, away periods, status updates and commitment citations (issue 14).

Written out explicitly (plain SQLAlchemy types, no imports from the app).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("working_group") as batch:
        batch.add_column(sa.Column("topic", sa.String(length=300), nullable=True))
    with op.batch_alter_table("membership") as batch:
        batch.add_column(sa.Column("stakeholder", sa.String(length=64), nullable=True))
    with op.batch_alter_table("commitment") as batch:
        batch.add_column(
            sa.Column("citations", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("commitment") as batch:
        batch.alter_column("citations", server_default=None)
    op.create_table(
        "status_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_status_update_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["checkin_id"],
            ["check_in.id"],
            name=op.f("fk_status_update_checkin_id_check_in"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_update")),
    )
    op.create_index(
        op.f("ix_status_update_commitment_id"), "status_update", ["commitment_id"], unique=False
    )
    op.create_index(
        op.f("ix_status_update_checkin_id"), "status_update", ["checkin_id"], unique=False
    )
    op.create_table(
        "away_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("back_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_away_period")),
        sa.UniqueConstraint("user_id", name=op.f("uq_away_period_user_id")),
    )
    op.create_index(op.f("ix_away_period_back_at"), "away_period", ["back_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_away_period_back_at"), table_name="away_period")
    op.drop_table("away_period")
    op.drop_index(op.f("ix_status_update_checkin_id"), table_name="status_update")
    op.drop_index(op.f("ix_status_update_commitment_id"), table_name="status_update")
    op.drop_table("status_update")
    with op.batch_alter_table("commitment") as batch:
        batch.drop_column("citations")
    with op.batch_alter_table("membership") as batch:
        batch.drop_column("stakeholder")
    with op.batch_alter_table("working_group") as batch:
        batch.drop_column("topic")
