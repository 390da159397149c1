"""The change sequence of the readings (``reading_changes``): what the analysts' columnar
mirror reads to stay exact (see palm.models.changes and docs/explore.md). Empty at first: a
mirror loads everything when it starts and follows the sequence from then on.

Revision ID: 0018_reading_changes
Revises: 0017_found_patterns
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_reading_changes"
down_revision: str | None = "0017_found_patterns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reading_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("reading_id", sa.Integer(), nullable=True),
        sa.Column("txid", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reading_changes_txid", "reading_changes", ["txid"])
    op.create_index("ix_reading_changes_created", "reading_changes", ["created_at"])


def downgrade() -> None:
    op.drop_table("reading_changes")
