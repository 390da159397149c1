"""Trends read from the rollup tables (palm.models.rollups): the same rows as the raw queries
in palm.explore.trends, for the filters a rollup can answer exactly.

Those are the date range, hand and status, and for reading counts also a chosen line (with or
without its found-ness: a reading has at most one row per line, so counting that line's rows
counts the readings). Engine and analysis types are in the analysts' facet tables
(palm.readings.facets: global only, so a user's own engine or type filter runs raw, over at
most their own readings); counts and month-bucketed charts under them read a date range's whole
months from the monthly facet tables and only its partial months' days from the daily ones
(``rollup_where.by_month``), readings per day the shapeless per-day table. A line filter on the line
charts and hand shapes selects readings and then shows *all* their lines: the found-pattern
tables (palm.models.patterns) answer it as a sum over the patterns that pass (for analysts;
under an engine or type filter over whole months only). Confidence and text are not in the
rollups: those filters go to the raw queries. Users read their own rows of the per-user
tables, analysts and admins the global ones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from palm.explore import rollup_where as rw
from palm.explore.query import ExploreFilter, Viewer
from palm.explore.rollup_where import serves_charts, serves_counts
from palm.explore.trend_types import (
    DayCount,
    LineMetricPoint,
    PresenceCount,
    ShapeCount,
    metric,
)
from palm.models import (
    ReadingFacetDaily,
    ReadingFacetPerDay,
    ReadingPatternDaily,
    TrendPatternDaily,
)
from palm.vocabulary import Granularity

__all__ = [
    "count",
    "engines",
    "hand_shapes",
    "line_metrics_over_time",
    "line_presence",
    "readings_per_day",
    "serves_charts",  # the routing, from rollup_where
    "serves_counts",
]


def _counted(viewer: Viewer, criteria: ExploreFilter) -> tuple[Any, list[ColumnElement[bool]]]:
    """The table reading counts come from, and its WHERE (a line filter counts line rows,
    "any line found" the readings of the passing patterns)."""
    table: Any
    if rw.any_line(criteria):
        table = ReadingPatternDaily
        return table, [
            *rw.filter_where(table, viewer, criteria),
            *rw.pattern_where(criteria)(table),
        ]
    if criteria.line is None:  # the shape is no key of a count: the shapeless facet table
        table = ReadingFacetPerDay if rw.faceted(criteria) else rw.reading_table(viewer, criteria)
        return table, rw.filter_where(table, viewer, criteria)
    table = rw.line_table(viewer, criteria)
    return table, [*rw.filter_where(table, viewer, criteria), *rw.line_rows(criteria)(table)]


def readings_per_day(session: Session, viewer: Viewer, criteria: ExploreFilter) -> list[DayCount]:
    table, conditions = _counted(viewer, criteria)
    total = func.sum(table.n)
    query = (
        select(table.day, table.status, total)
        .where(*conditions)
        .group_by(table.day, table.status)
        .having(total > 0)
        .order_by(table.day, table.status)
    )
    return [DayCount(str(d), str(status), int(n)) for d, status, n in session.execute(query)]


def count(session: Session, viewer: Viewer, criteria: ExploreFilter) -> int:
    if rw.any_line(criteria):
        tables = rw.pattern_tables(criteria, lines=False)
        rows = rw.by_month(tables, viewer, criteria, ("n",), rw.pattern_where(criteria))
        return int(session.scalar(select(func.sum(rows.c.n))) or 0)
    if rw.faceted(criteria):
        if criteria.line is None:
            rows = rw.by_month(rw.READING_FACETS, viewer, criteria, ("n",))
        else:
            rows = rw.by_month(rw.LINE_FACETS, viewer, criteria, ("n",), rw.line_rows(criteria))
        return int(session.scalar(select(func.sum(rows.c.n))) or 0)
    table, conditions = _counted(viewer, criteria)
    return int(session.scalar(select(func.sum(table.n)).where(*conditions)) or 0)


def line_metrics_over_time(
    session: Session, viewer: Viewer, criteria: ExploreFilter, granularity: Granularity
) -> list[LineMetricPoint]:
    def found(table: Any) -> list[ColumnElement[bool]]:
        return [table.found.is_(True), table.hand != ""]

    source: Any
    columns = ("hand", "line", "n", "sum_length_rel", "sum_depth", "sum_curvature")
    if criteria.narrows_lines and granularity == "month":
        tables = rw.pattern_tables(criteria, lines=True)
        source = rw.by_month(
            tables, viewer, criteria, columns, rw.both(found, rw.pattern_where(criteria))
        ).c
        bucket, conditions = source.bucket, []
    elif criteria.narrows_lines:
        source = TrendPatternDaily
        bucket = source.day
        conditions = [
            *rw.filter_where(source, viewer, criteria),
            *found(source),
            *rw.pattern_where(criteria)(source),
        ]
    elif rw.faceted(criteria) and granularity == "month":
        source = rw.by_month(rw.LINE_FACETS, viewer, criteria, columns, found).c
        bucket, conditions = source.bucket, []
    else:
        source = rw.line_table(viewer, criteria)
        bucket = source.day if granularity == "day" else func.substr(source.day, 1, 7)
        conditions = [*rw.filter_where(source, viewer, criteria), *found(source)]
    total = func.sum(source.n)
    query = (
        select(
            bucket,
            source.hand,
            source.line,
            func.sum(source.sum_length_rel),
            func.sum(source.sum_depth),
            func.sum(source.sum_curvature),
            total,
        )
        .where(*conditions)
        .group_by(bucket, source.hand, source.line)
        .having(total > 0)
        .order_by(bucket, source.hand, source.line)
    )
    return [
        LineMetricPoint(
            str(b),
            str(hand),
            str(line),
            metric(float(lr) / n),
            metric(float(dp) / n),
            metric(float(cv) / n),
            int(n),
        )
        for b, hand, line, lr, dp, cv, n in session.execute(query)
    ]


def hand_shapes(session: Session, viewer: Viewer, criteria: ExploreFilter) -> list[ShapeCount]:
    def shaped(table: Any) -> list[ColumnElement[bool]]:
        return [table.shape != ""]

    source: Any
    conditions: list[ColumnElement[bool]]
    if criteria.narrows_lines:
        tables, where = (
            rw.pattern_tables(criteria, lines=False),
            rw.both(shaped, rw.pattern_where(criteria)),
        )
        source = rw.by_month(tables, viewer, criteria, ("hand", "shape", "n"), where).c
        conditions = []
    elif rw.faceted(criteria):
        source = rw.by_month(rw.READING_FACETS, viewer, criteria, ("hand", "shape", "n"), shaped).c
        conditions = []
    else:
        source = rw.reading_table(viewer, criteria)
        conditions = [*rw.filter_where(source, viewer, criteria), *shaped(source)]
    total = func.sum(source.n)
    query = (
        select(source.hand, source.shape, total)
        .where(*conditions)
        .group_by(source.hand, source.shape)
        .having(total > 0)
        .order_by(source.hand, source.shape)
    )
    return [
        ShapeCount(str(hand or None), str(shape), int(n))
        for hand, shape, n in session.execute(query)
    ]


def line_presence(session: Session, viewer: Viewer, criteria: ExploreFilter) -> list[PresenceCount]:
    source: Any
    conditions: list[ColumnElement[bool]]
    if criteria.narrows_lines:
        tables, columns = rw.pattern_tables(criteria, lines=True), ("line", "found", "n")
        source = rw.by_month(tables, viewer, criteria, columns, rw.pattern_where(criteria)).c
        conditions = []
    elif rw.faceted(criteria):
        source = rw.by_month(rw.LINE_FACETS, viewer, criteria, ("line", "found", "n")).c
        conditions = []
    else:
        source = rw.line_table(viewer, criteria)
        conditions = rw.filter_where(source, viewer, criteria)
    total = func.sum(source.n)
    query = (
        select(source.line, source.found, total)
        .where(*conditions)
        .group_by(source.line, source.found)
        .having(total > 0)
        .order_by(source.line, source.found)
    )
    return [PresenceCount(str(line), bool(f), int(n)) for line, f, n in session.execute(query)]


def engines(session: Session) -> list[str]:
    """Every engine some reading was read by (a failed or pending one has none: ``''``)."""
    query = select(ReadingFacetDaily.engine).where(ReadingFacetDaily.engine != "").distinct()
    return sorted(str(engine) for engine in session.scalars(query))
