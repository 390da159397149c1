"""The analysts' facet rollups: everyone's daily reading and line sums keyed also by engine and
the set of analysis types (a bit mask: life 1, love 2, career 4, health 8, head 16), so the
History engine and type filters are answered from sums instead of raw scans.

Revision ID: 0013_explore_filters
Revises: 0011_disabled

Existing readings are summed in here in SQL of its own (as 0005 does), with the type mask
computed from the stored JSON list the way the raw filter matches it (the quoted name).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_explore_filters"
down_revision: str | None = "0011_disabled"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The bits of palm.readings.facets.TYPE_BITS when this migration was written (fixed here).
TYPE_BITS = {"life": 1, "love": 2, "career": 4, "health": 8, "head": 16}


def _facet_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.Column("types", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "reading_facet_daily",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hand", sa.String(length=8), nullable=False),
        sa.Column("shape", sa.String(length=16), nullable=False),
        *_facet_columns(),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "status", "hand", "shape", "engine", "types"),
    )
    op.create_table(
        "trend_facet_daily",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hand", sa.String(length=8), nullable=False),
        sa.Column("line", sa.String(length=16), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        *_facet_columns(),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_length_rel", sa.Float(), nullable=False),
        sa.Column("sum_depth", sa.Float(), nullable=False),
        sa.Column("sum_curvature", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("day", "status", "hand", "line", "found", "engine", "types"),
    )
    _backfill()


def _backfill() -> None:
    if op.get_bind().dialect.name == "postgresql":
        day, text = "to_char(timezone('UTC', created_at), 'YYYY-MM-DD')", "analysis_types::text"
    else:
        day, text = "strftime('%Y-%m-%d', created_at)", "CAST(analysis_types AS TEXT)"
    mask = " + ".join(
        f"CASE WHEN {text} LIKE '%\"{kind}\"%' THEN {bit} ELSE 0 END"
        for kind, bit in TYPE_BITS.items()
    )
    readings = (
        f"SELECT id, {day} AS day, status, coalesce(hand, '') AS hand, "
        "coalesce(hand_shape, '') AS shape, coalesce(engine, '') AS engine, "
        f"{mask} AS types FROM readings"
    )
    op.execute(
        "INSERT INTO reading_facet_daily (day, status, hand, shape, engine, types, n) "
        f"SELECT day, status, hand, shape, engine, types, count(*) FROM ({readings}) r "
        "GROUP BY day, status, hand, shape, engine, types"
    )
    op.execute(
        "INSERT INTO trend_facet_daily (day, status, hand, line, found, engine, types, n, "
        "sum_length_rel, sum_depth, sum_curvature) SELECT r.day, r.status, r.hand, l.line, "
        "l.found, r.engine, r.types, count(*), sum(l.length_rel), sum(l.depth), "
        f"sum(l.curvature) FROM ({readings}) r JOIN line_results l ON l.reading_id = r.id "
        "GROUP BY r.day, r.status, r.hand, l.line, l.found, r.engine, r.types"
    )


def downgrade() -> None:
    op.drop_table("trend_facet_daily")
    op.drop_table("reading_facet_daily")
