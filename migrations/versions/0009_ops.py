"""Operations console: the ops_settings table (run-time settings such as the monthly LLM
budget), indexes on jobs.started_at / jobs.ended_at for the queue rates and latencies, and
the LLM usage rollups (usage_daily per day/model/purpose, usage_user_monthly per month and
person), filled here from the usage rows already recorded.

Revision ID: 0009_ops
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009_ops"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ops_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(254), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(254), nullable=False),
    )
    op.create_index("ix_jobs_started_at", "jobs", ["started_at"])
    op.create_index("ix_jobs_ended_at", "jobs", ["ended_at"])

    def figures() -> list[sa.Column[object]]:
        return [
            sa.Column("calls", sa.Integer(), nullable=False),
            sa.Column("input_tokens", sa.Integer(), nullable=False),
            sa.Column("cached_tokens", sa.Integer(), nullable=False),
            sa.Column("output_tokens", sa.Integer(), nullable=False),
            sa.Column("cost_usd", sa.Float(), nullable=False),
        ]

    daily = op.create_table(
        "usage_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        *figures(),
        sa.PrimaryKeyConstraint("day", "model", "purpose"),
    )
    monthly = op.create_table(
        "usage_user_monthly",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        *figures(),
        sa.PrimaryKeyConstraint("month", "user_id"),
    )
    _backfill(daily, monthly)


def _aware(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _backfill(daily: sa.Table, monthly: sa.Table) -> None:
    """The rollups of every usage row so far (streamed; sums kept in memory per key)."""
    usage = sa.table(
        "usage_records",
        sa.column("ts"),
        sa.column("user_id"),
        sa.column("model"),
        sa.column("purpose"),
        sa.column("input_tokens"),
        sa.column("cached_tokens"),
        sa.column("output_tokens"),
        sa.column("cost_usd"),
    )
    days: dict[tuple[object, ...], list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0.0])
    months: dict[tuple[object, ...], list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0.0])
    # Streamed by the statement's own options: Connection.execution_options() would change the
    # migration's shared connection, and PostgreSQL would then DECLARE a cursor for every later
    # statement, alembic's own UPDATE of its version included.
    streamed = sa.select(usage).execution_options(stream_results=True, max_row_buffer=5000)
    rows = op.get_bind().execute(streamed)
    for ts, user_id, model, purpose, tokens_in, cached, tokens_out, cost in rows:
        moment = _aware(ts)
        for totals in (
            days[(moment.date(), model, purpose)],
            months[(moment.strftime("%Y-%m"), user_id or 0)],
        ):
            totals[0] += 1
            totals[1] += tokens_in or 0
            totals[2] += cached or 0
            totals[3] += tokens_out or 0
            totals[4] += cost or 0.0

    def figures(totals: list[float]) -> dict[str, float]:
        names = ("calls", "input_tokens", "cached_tokens", "output_tokens", "cost_usd")
        return dict(zip(names, totals, strict=True))

    if days:
        op.bulk_insert(
            daily,
            [
                {"day": day, "model": model, "purpose": purpose, **figures(totals)}
                for (day, model, purpose), totals in days.items()
            ],
        )
    if months:
        op.bulk_insert(
            monthly,
            [
                {"month": month, "user_id": user_id, **figures(totals)}
                for (month, user_id), totals in months.items()
            ],
        )


def downgrade() -> None:
    op.drop_table("usage_user_monthly")
    op.drop_table("usage_daily")
    op.drop_index("ix_jobs_ended_at", table_name="jobs")
    op.drop_index("ix_jobs_started_at", table_name="jobs")
    op.drop_table("ops_settings")
