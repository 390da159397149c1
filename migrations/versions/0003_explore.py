"""Explore: reading shares and the indexes the history, trends and compare pages use.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reading_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["reading_id"], ["readings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reading_shares", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reading_shares_recipient", ["recipient_id", "revoked_at", "reading_id"]
        )
        batch_op.create_index("ix_reading_shares_owner_created", ["owner_id", "created_at"])
        batch_op.create_index("ix_reading_shares_reading", ["reading_id"])
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.create_index("ix_readings_created", ["created_at", "id"])
        batch_op.create_index("ix_readings_status_created", ["status", "created_at", "id"])
    with op.batch_alter_table("line_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_line_results_metrics",
            ["reading_id", "found", "line", "length_rel", "depth", "curvature", "confidence"],
        )


def downgrade() -> None:
    with op.batch_alter_table("line_results", schema=None) as batch_op:
        batch_op.drop_index("ix_line_results_metrics")
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_index("ix_readings_status_created")
        batch_op.drop_index("ix_readings_created")
    with op.batch_alter_table("reading_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_reading_shares_reading")
        batch_op.drop_index("ix_reading_shares_owner_created")
        batch_op.drop_index("ix_reading_shares_recipient")
    op.drop_table("reading_shares")
