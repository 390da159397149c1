"""Trend rollups: daily reading and line-metric sums, per user and for everyone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

Existing readings are summed in here (the same GROUP BYs as palm.readings.rollups.rebuild, in
SQL of their own so this migration never changes with the app); from then on the services keep
the tables in step, and ``python -m palm rebuild-rollups`` recomputes them if ever needed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _reading_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hand", sa.String(length=8), nullable=False),
        sa.Column("shape", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
    ]


def _line_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hand", sa.String(length=8), nullable=False),
        sa.Column("line", sa.String(length=16), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_length_rel", sa.Float(), nullable=False),
        sa.Column("sum_depth", sa.Float(), nullable=False),
        sa.Column("sum_curvature", sa.Float(), nullable=False),
    ]


def upgrade() -> None:
    reading_keys = ["day", "status", "hand", "shape"]
    line_keys = ["day", "status", "hand", "line", "found"]
    op.create_table(
        "reading_daily",
        sa.Column("user_id", sa.Integer(), nullable=False),
        *_reading_columns(),
        sa.PrimaryKeyConstraint("user_id", *reading_keys),
    )
    op.create_table(
        "reading_daily_all", *_reading_columns(), sa.PrimaryKeyConstraint(*reading_keys)
    )
    op.create_table(
        "trend_daily",
        sa.Column("user_id", sa.Integer(), nullable=False),
        *_line_columns(),
        sa.PrimaryKeyConstraint("user_id", *line_keys),
    )
    op.create_table("trend_daily_all", *_line_columns(), sa.PrimaryKeyConstraint(*line_keys))
    op.create_index(
        "ix_trend_daily_user_cover",
        "trend_daily",
        ["user_id", *line_keys, "n", "sum_length_rel", "sum_depth", "sum_curvature"],
    )
    _backfill()


def _backfill() -> None:
    if op.get_bind().dialect.name == "postgresql":
        day = "to_char(timezone('UTC', created_at), 'YYYY-MM-DD')"
    else:
        day = "strftime('%Y-%m-%d', created_at)"
    readings = (
        f"SELECT id, user_id, {day} AS day, status, coalesce(hand, '') AS hand, "
        "coalesce(hand_shape, '') AS shape FROM readings"
    )
    op.execute(
        "INSERT INTO reading_daily (user_id, day, status, hand, shape, n) "
        f"SELECT user_id, day, status, hand, shape, count(*) FROM ({readings}) r "
        "GROUP BY user_id, day, status, hand, shape"
    )
    op.execute(
        "INSERT INTO trend_daily (user_id, day, status, hand, line, found, n, sum_length_rel, "
        "sum_depth, sum_curvature) SELECT r.user_id, r.day, r.status, r.hand, l.line, l.found, "
        "count(*), sum(l.length_rel), sum(l.depth), sum(l.curvature) "
        f"FROM ({readings}) r JOIN line_results l ON l.reading_id = r.id "
        "GROUP BY r.user_id, r.day, r.status, r.hand, l.line, l.found"
    )
    op.execute(
        "INSERT INTO reading_daily_all (day, status, hand, shape, n) SELECT day, status, hand, "
        "shape, sum(n) FROM reading_daily GROUP BY day, status, hand, shape"
    )
    op.execute(
        "INSERT INTO trend_daily_all (day, status, hand, line, found, n, sum_length_rel, "
        "sum_depth, sum_curvature) SELECT day, status, hand, line, found, sum(n), "
        "sum(sum_length_rel), sum(sum_depth), sum(sum_curvature) FROM trend_daily "
        "GROUP BY day, status, hand, line, found"
    )


def downgrade() -> None:
    op.drop_index("ix_trend_daily_user_cover", table_name="trend_daily")
    op.drop_table("trend_daily_all")
    op.drop_table("trend_daily")
    op.drop_table("reading_daily_all")
    op.drop_table("reading_daily")
