"""Monthly sums of the analysts' facet rollups (``reading_facet_monthly``,
``trend_facet_monthly``): a chart or count under an engine or type filter sums a month's rows
for every whole month of its date range instead of thirty days' (see docs/explore.md). And
the daily facet readings without the hand shape (``reading_facet_per_day``) for the
readings-per-day chart, an index on ``trend_facet_daily`` led by the line for its
chosen-line counts, and one on readings (engine, created_at, id) for engine-filtered pages and
exports. And each reading's line summary on its own row (``lines_found``,
``mean_confidence``: what History pages and exports computed with two probes of line_results
per reading), filled here with the same aggregates (at 1M readings: seconds to a minute).

Revision ID: 0016_facet_months
Revises: 0015_webhook_rotation

Filled from the daily facet tables in SQL (their rows summed per ``substr(day, 1, 7)``, or
over the shape), in the upgrade's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_facet_months"
down_revision: str | None = "0015_webhook_rotation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READING_KEYS = ("status", "hand", "shape", "engine", "types")
LINE_KEYS = ("status", "hand", "line", "found", "engine", "types")
LINE_SUMS = ("n", "sum_length_rel", "sum_depth", "sum_curvature")
PER_DAY_KEYS = ("status", "hand", "engine", "types")


def _keys(names: Sequence[str]) -> list[sa.Column[object]]:
    types: dict[str, sa.types.TypeEngine[object]] = {
        "status": sa.String(length=16),
        "hand": sa.String(length=8),
        "shape": sa.String(length=16),
        "line": sa.String(length=16),
        "found": sa.Boolean(),
        "engine": sa.String(length=64),
        "types": sa.Integer(),
    }
    return [sa.Column(name, types[name], nullable=False) for name in names]


def upgrade() -> None:
    op.add_column(
        "readings", sa.Column("lines_found", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("readings", sa.Column("mean_confidence", sa.Float(), nullable=True))
    found = "FROM line_results WHERE line_results.reading_id = readings.id AND line_results.found"
    op.execute(
        f"UPDATE readings SET lines_found = (SELECT count(*) {found}), "
        f"mean_confidence = (SELECT avg(line_results.confidence) {found})"
    )
    op.create_table(
        "reading_facet_monthly",
        sa.Column("month", sa.String(length=7), nullable=False),
        *_keys(READING_KEYS),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", *READING_KEYS),
    )
    op.create_table(
        "trend_facet_monthly",
        sa.Column("month", sa.String(length=7), nullable=False),
        *_keys(LINE_KEYS),
        sa.Column("n", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in LINE_SUMS[1:]),
        sa.PrimaryKeyConstraint("month", *LINE_KEYS),
    )
    op.create_table(
        "reading_facet_per_day",
        sa.Column("day", sa.String(length=10), nullable=False),
        *_keys(PER_DAY_KEYS),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", *PER_DAY_KEYS),
    )
    _fill("reading_facet_daily", "reading_facet_monthly", READING_KEYS, ("n",))
    _fill("trend_facet_daily", "trend_facet_monthly", LINE_KEYS, LINE_SUMS)
    columns = ", ".join(("day", *PER_DAY_KEYS))
    op.execute(
        f"INSERT INTO reading_facet_per_day ({columns}, n) "
        f"SELECT {columns}, sum(n) FROM reading_facet_daily GROUP BY {columns}"
    )
    op.create_index("ix_readings_engine_created", "readings", ["engine", "created_at", "id"])
    op.create_index(
        "ix_trend_facet_daily_line",
        "trend_facet_daily",
        ["line", "found", "day", "status", "hand", "engine", "types", "n"],
    )


def _fill(daily: str, monthly: str, keys: Sequence[str], sums: Sequence[str]) -> None:
    columns = ", ".join(keys)
    totals = ", ".join(f"sum({name})" for name in sums)
    op.execute(
        f"INSERT INTO {monthly} (month, {columns}, {', '.join(sums)}) "
        f"SELECT substr(day, 1, 7), {columns}, {totals} FROM {daily} "
        f"GROUP BY substr(day, 1, 7), {columns}"
    )


def downgrade() -> None:
    op.drop_index("ix_trend_facet_daily_line", table_name="trend_facet_daily")
    op.drop_index("ix_readings_engine_created", table_name="readings")
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL), as 0011 does.
    op.execute("ALTER TABLE readings DROP COLUMN mean_confidence")
    op.execute("ALTER TABLE readings DROP COLUMN lines_found")
    op.drop_table("reading_facet_per_day")
    op.drop_table("trend_facet_monthly")
    op.drop_table("reading_facet_monthly")
