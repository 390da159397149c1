"""Trends read from the rollup tables (palm.models.rollups): the same rows as the raw queries
in palm.explore.trends, for the filters a rollup can answer exactly.

Those are the date range, hand and status, and for reading counts also a chosen line (with or
without its found-ness: a reading has at most one row per line, so counting that line's rows
counts the readings). Engine and analysis types are in the analysts' facet tables
(palm.readings.facets: global only, so a user's own engine or type filter runs raw, over at
most their own readings); counts and month-bucketed charts under them read a date range's whole
months from the monthly facet tables and only its partial months' days from the daily ones
(``_by_month``), readings per day the shapeless per-day table. A line filter on the line
charts selects readings and then shows *all* their lines, and confidence and text are not in
the rollups: those filters go to the raw queries. Users read their own rows of the per-user
tables, analysts and admins the global ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Subquery, false, func, or_, select, union_all
from sqlalchemy.orm import Session

from palm.explore.month_span import month_span
from palm.explore.query import ExploreFilter, Viewer
from palm.explore.trend_types import (
    DayCount,
    LineMetricPoint,
    PresenceCount,
    ShapeCount,
    metric,
)
from palm.models import (
    ReadingDaily,
    ReadingDailyAll,
    ReadingFacetDaily,
    ReadingFacetMonthly,
    ReadingFacetPerDay,
    TrendDaily,
    TrendDailyAll,
    TrendFacetDaily,
    TrendFacetMonthly,
)
from palm.readings import types_mask
from palm.vocabulary import Granularity


def _faceted(criteria: ExploreFilter) -> bool:
    """An engine or type filter: only the (global) facet tables have those keys."""
    return bool(criteria.engines or criteria.analysis_types)


def _plain(viewer: Viewer, criteria: ExploreFilter) -> bool:
    """Nothing but date range, hand, status and line/found; engine and types for analysts."""
    confidence = criteria.confidence_min > 0.0 or criteria.confidence_max < 1.0
    if criteria.text or confidence:
        return False
    return viewer.sees_everyone or not _faceted(criteria)


def serves_counts(viewer: Viewer, criteria: ExploreFilter) -> bool:
    """Reading counts (per day, total) can come from the rollups for this filter."""
    line_rows = criteria.line is not None or criteria.line_found is None
    return _plain(viewer, criteria) and line_rows


def serves_charts(viewer: Viewer, criteria: ExploreFilter) -> bool:
    """Line metrics, line presence and hand shapes can come from the rollups for this filter."""
    return _plain(viewer, criteria) and not criteria.narrows_lines


def _facet_where(table: Any, criteria: ExploreFilter) -> list[ColumnElement[bool]]:
    """Engine in the chosen ones; type set sharing a bit with the chosen types (any of)."""
    conditions: list[ColumnElement[bool]] = []
    if criteria.engines:
        conditions.append(table.engine.in_(criteria.engines))
    if criteria.analysis_types:
        wanted = types_mask(criteria.analysis_types)
        conditions.append(table.types.bitwise_and(wanted) != 0 if wanted else false())
    return conditions


def _undated(table: Any, viewer: Viewer, criteria: ExploreFilter) -> list[ColumnElement[bool]]:
    """Everything of the filter but its date range."""
    conditions: list[ColumnElement[bool]] = (
        _facet_where(table, criteria) if _faceted(criteria) else []
    )
    if not viewer.sees_everyone:
        conditions.append(table.user_id == viewer.user_id)
    if criteria.hands:
        conditions.append(table.hand.in_(criteria.hands))
    if criteria.statuses:
        conditions.append(table.status.in_(criteria.statuses))
    return conditions


def _where(table: Any, viewer: Viewer, criteria: ExploreFilter) -> list[ColumnElement[bool]]:
    conditions = _undated(table, viewer, criteria)
    if criteria.date_from is not None:
        conditions.append(table.day >= criteria.date_from.isoformat())
    if criteria.date_to is not None:
        conditions.append(table.day <= criteria.date_to.isoformat())
    return conditions


def _by_month(
    tables: tuple[Any, Any],
    viewer: Viewer,
    criteria: ExploreFilter,
    columns: tuple[str, ...],
    where: Callable[[Any], list[ColumnElement[bool]]] | None = None,
) -> Subquery:
    """The facet rows (``tables``: daily, monthly) that pass the filter and ``where``: the
    date range's whole months from the monthly table, its partial months' days from the
    daily one, as one subquery of ``bucket`` (the month) and ``columns`` to be summed."""
    daily, monthly = tables
    span, parts = month_span(criteria.date_from, criteria.date_to), []
    if span.months is not None:
        low, high = span.months
        conditions = [*_undated(monthly, viewer, criteria), *(where(monthly) if where else [])]
        conditions += [monthly.month >= low] if low is not None else []
        conditions += [monthly.month <= high] if high is not None else []
        named = (getattr(monthly, name).label(name) for name in columns)
        parts.append(select(monthly.month.label("bucket"), *named).where(*conditions))
    if span.days:
        conditions = [*_undated(daily, viewer, criteria), *(where(daily) if where else [])]
        conditions.append(or_(*(daily.day.between(low, high) for low, high in span.days)))
        named = (getattr(daily, name).label(name) for name in columns)
        month = func.substr(daily.day, 1, 7).label("bucket")
        parts.append(select(month, *named).where(*conditions))
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()


def _readings(viewer: Viewer, criteria: ExploreFilter) -> Any:
    if _faceted(criteria):
        return ReadingFacetDaily
    return ReadingDailyAll if viewer.sees_everyone else ReadingDaily


def _lines(viewer: Viewer, criteria: ExploreFilter) -> Any:
    if _faceted(criteria):
        return TrendFacetDaily
    return TrendDailyAll if viewer.sees_everyone else TrendDaily


def _counted(viewer: Viewer, criteria: ExploreFilter) -> tuple[Any, list[ColumnElement[bool]]]:
    """The table reading counts come from, and its WHERE (a line filter counts line rows)."""
    if criteria.line is None:  # the shape is no key of a count: the shapeless facet table
        table = ReadingFacetPerDay if _faceted(criteria) else _readings(viewer, criteria)
        return table, _where(table, viewer, criteria)
    table = _lines(viewer, criteria)
    return table, [*_where(table, viewer, criteria), *_line_rows(criteria)(table)]


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


READING_FACETS = (ReadingFacetDaily, ReadingFacetMonthly)
LINE_FACETS = (TrendFacetDaily, TrendFacetMonthly)


def count(session: Session, viewer: Viewer, criteria: ExploreFilter) -> int:
    if _faceted(criteria):
        if criteria.line is None:
            rows = _by_month(READING_FACETS, viewer, criteria, ("n",))
        else:
            rows = _by_month(LINE_FACETS, viewer, criteria, ("n",), _line_rows(criteria))
        return int(session.scalar(select(func.sum(rows.c.n))) or 0)
    table, conditions = _counted(viewer, criteria)
    return int(session.scalar(select(func.sum(table.n)).where(*conditions)) or 0)


def _line_rows(criteria: ExploreFilter) -> Callable[[Any], list[ColumnElement[bool]]]:
    """The chosen line's rows (± found): what a line filter counts."""

    def where(table: Any) -> list[ColumnElement[bool]]:
        conditions = [table.line == criteria.line]
        if criteria.line_found is not None:
            conditions.append(table.found.is_(criteria.line_found))
        return conditions

    return where


def line_metrics_over_time(
    session: Session, viewer: Viewer, criteria: ExploreFilter, granularity: Granularity
) -> list[LineMetricPoint]:
    def found(table: Any) -> list[ColumnElement[bool]]:
        return [table.found.is_(True), table.hand != ""]

    source: Any
    if _faceted(criteria) and granularity == "month":
        columns = ("hand", "line", "n", "sum_length_rel", "sum_depth", "sum_curvature")
        source = _by_month(LINE_FACETS, viewer, criteria, columns, found).c
        bucket, conditions = source.bucket, []
    else:
        source = _lines(viewer, criteria)
        bucket = source.day if granularity == "day" else func.substr(source.day, 1, 7)
        conditions = [*_where(source, viewer, criteria), *found(source)]
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
    if _faceted(criteria):
        source = _by_month(READING_FACETS, viewer, criteria, ("hand", "shape", "n"), shaped).c
        conditions = []
    else:
        source = _readings(viewer, criteria)
        conditions = [*_where(source, viewer, criteria), *shaped(source)]
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
    if _faceted(criteria):
        source = _by_month(LINE_FACETS, viewer, criteria, ("line", "found", "n")).c
        conditions = []
    else:
        source = _lines(viewer, criteria)
        conditions = _where(source, viewer, criteria)
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
