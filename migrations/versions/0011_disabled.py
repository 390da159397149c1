"""Disabling an account: ``users.disabled_at``, set while an admin has the account disabled
(it cannot sign in and its sessions were revoked), NULL otherwise.

Revision ID: 0011_disabled
Revises: 0010_account
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_disabled"
down_revision: str | None = "0010_account"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL): batch mode would rebuild users, and
    # dropping the old table would cascade to every row that references it.
    op.execute("ALTER TABLE users DROP COLUMN disabled_at")
