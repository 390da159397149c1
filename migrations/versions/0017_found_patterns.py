"""Found-pattern rollups (``reading_pattern_*``, ``trend_pattern_*``): the reading and line
rollups keyed also by which lines a reading has and which were found (two bit masks), so a
History line filter on the line charts and hand shapes is a sum over the passing patterns
instead of a scan of every reading's lines (see docs/explore.md). Daily and monthly global
rows, and monthly rows with the engine and type set.

Revision ID: 0017_found_patterns
Revises: 0016_facet_months

Filled from the readings and their lines in SQL, in the upgrade's transaction: a reading's
masks are the sums of its lines' bits (at most one row per line, so a sum is an OR).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_found_patterns"
down_revision: str | None = "0016_facet_months"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies (palm.vocabulary.LINE_NAMES order, palm.readings.facets.TYPE_BITS).
LINE_BITS = {"heart": 1, "head": 2, "life": 4, "fate": 8, "sun": 16, "mercury": 32}
TYPE_BITS = {"life": 1, "love": 2, "career": 4, "health": 8, "head": 16}
LINE_SUMS = ("n", "sum_length_rel", "sum_depth", "sum_curvature")
TYPES: dict[str, sa.types.TypeEngine[object]] = {
    "day": sa.String(length=10),
    "month": sa.String(length=7),
    "status": sa.String(length=16),
    "hand": sa.String(length=8),
    "shape": sa.String(length=16),
    "line": sa.String(length=16),
    "found": sa.Boolean(),
    "engine": sa.String(length=64),
    "types": sa.Integer(),
    "line_mask": sa.Integer(),
    "found_mask": sa.Integer(),
}
TABLES: dict[str, tuple[str, ...]] = {  # name: its lead keys (then the pattern and the tail)
    "reading_pattern_daily": ("day",),
    "reading_pattern_monthly": ("month",),
    "reading_pattern_facet_monthly": ("month", "engine", "types"),
    "trend_pattern_daily": ("day",),
    "trend_pattern_monthly": ("month",),
    "trend_pattern_facet_monthly": ("month", "engine", "types"),
}


def _key(name: str) -> tuple[str, ...]:
    tail = ("line", "found") if name.startswith("trend") else ("shape",)
    lead = TABLES[name]
    return (lead[0], "status", "hand", *lead[1:], "line_mask", "found_mask", *tail)


def upgrade() -> None:
    for name in TABLES:
        key = _key(name)
        sums = LINE_SUMS if name.startswith("trend") else ("n",)
        op.create_table(
            name,
            *(sa.Column(column, TYPES[column], nullable=False) for column in key),
            sa.Column("n", sa.Integer(), nullable=False),
            *(sa.Column(column, sa.Float(), nullable=False) for column in sums[1:]),
            sa.PrimaryKeyConstraint(*key),
        )
    _fill()


def _fill() -> None:
    if op.get_bind().dialect.name == "postgresql":
        day, text = "to_char(timezone('UTC', created_at), 'YYYY-MM-DD')", "analysis_types::text"
    else:
        day, text = "strftime('%Y-%m-%d', created_at)", "CAST(analysis_types AS TEXT)"
    types = " + ".join(
        f"CASE WHEN {text} LIKE '%\"{kind}\"%' THEN {bit} ELSE 0 END"
        for kind, bit in TYPE_BITS.items()
    )
    bit = " ".join(f"WHEN '{line}' THEN {value}" for line, value in LINE_BITS.items())
    masks = (
        f"SELECT reading_id, sum(CASE line {bit} ELSE 0 END) AS line_mask, "
        f"sum(CASE WHEN found THEN CASE line {bit} ELSE 0 END ELSE 0 END) AS found_mask "
        "FROM line_results GROUP BY reading_id"
    )
    readings = (
        f"SELECT id, {day} AS day, substr({day}, 1, 7) AS month, status, "
        "coalesce(hand, '') AS hand, coalesce(hand_shape, '') AS shape, "
        f"coalesce(engine, '') AS engine, {types} AS types, "
        "coalesce(m.line_mask, 0) AS line_mask, coalesce(m.found_mask, 0) AS found_mask "
        f"FROM readings LEFT JOIN ({masks}) m ON m.reading_id = readings.id"
    )
    for name in TABLES:
        key = _key(name)
        if name.startswith("trend"):
            values = ", ".join(f"l.{c}" if c in ("line", "found") else f"r.{c}" for c in key)
            groups = values
            sums = "count(*), sum(l.length_rel), sum(l.depth), sum(l.curvature)"
            source = f"({readings}) r JOIN line_results l ON l.reading_id = r.id"
            measures = ", ".join(LINE_SUMS)
        else:
            values = groups = ", ".join(f"r.{c}" for c in key)
            sums, source, measures = "count(*)", f"({readings}) r", "n"
        op.execute(
            f"INSERT INTO {name} ({', '.join(key)}, {measures}) "
            f"SELECT {values}, {sums} FROM {source} GROUP BY {groups}"
        )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
