"""Jobs keep their function and arguments (a job lost from Redis can be enqueued again);
interpretations keep why the offline reader wrote them (the LLM's fallback reason).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as table:
        table.add_column(sa.Column("func", sa.String(length=128), nullable=True))
        table.add_column(sa.Column("args", sa.JSON(), nullable=True))
        table.create_index("ix_jobs_state_enqueued", ["state", "enqueued_at"])
    with op.batch_alter_table("interpretations") as table:
        table.add_column(sa.Column("fallback_reason", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interpretations") as table:
        table.drop_column("fallback_reason")
    with op.batch_alter_table("jobs") as table:
        table.drop_index("ix_jobs_state_enqueued")
        table.drop_column("args")
        table.drop_column("func")
