"""Webhook secret rotation: the secret an endpoint had before its latest rotation (sealed)
and until when deliveries are still signed with it too, so a receiver can switch keys
without missing a delivery.

Revision ID: 0015_webhook_rotation
Revises: 0014_explore_filters
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_webhook_rotation"
down_revision: str | None = "0014_explore_filters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("webhook_endpoints", sa.Column("previous_secret", sa.Text, nullable=True))
    op.add_column(
        "webhook_endpoints",
        sa.Column("previous_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL), as 0011 does.
    op.execute("ALTER TABLE webhook_endpoints DROP COLUMN previous_until")
    op.execute("ALTER TABLE webhook_endpoints DROP COLUMN previous_secret")
