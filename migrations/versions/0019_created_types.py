"""On SQLite, the readings' date order with their analysis types
(``ix_readings_created_types``): a type filter tests each index entry before it reads the
row (see palm.models.explore). Nothing on PostgreSQL, which cannot index a JSON column.

Revision ID: 0019_created_types
Revises: 0018_reading_changes
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019_created_types"
down_revision: str | None = "0018_reading_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(
            "ix_readings_created_types", "readings", ["created_at", "id", "analysis_types"]
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_readings_created_types", table_name="readings")
