"""Which rollup tables answer a History filter, and their WHERE: the routing of
palm.explore.trends_rollup.

A filter goes to the rollups when they answer it exactly: date range, hand and status from
the plain tables (a user's own, or everyone's), engine and analysis types from the analysts'
facet tables, a line filter on the line charts and hand shapes from the found-pattern tables
(``by_pattern``). A date range is cut into whole months (monthly tables) and the days of its
partial months (daily ones) by ``by_month``. Confidence and text never: those go to the
analysts' mirror, or raw. Under an engine or type filter over a long range, the readings per
day and a line filter's charts go to the mirror first (``mirror_first``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Subquery, false, func, or_, select, union_all

from palm.explore.month_span import month_span
from palm.explore.query import ExploreFilter, Viewer
from palm.models import (
    ReadingDaily,
    ReadingDailyAll,
    ReadingFacetDaily,
    ReadingFacetMonthly,
    ReadingPatternDaily,
    ReadingPatternFacetMonthly,
    ReadingPatternMonthly,
    TrendDaily,
    TrendDailyAll,
    TrendFacetDaily,
    TrendFacetMonthly,
    TrendPatternDaily,
    TrendPatternFacetMonthly,
    TrendPatternMonthly,
)
from palm.readings import pattern_passes, types_mask


def faceted(criteria: ExploreFilter) -> bool:
    """An engine or type filter: only the (global) facet tables have those keys."""
    return bool(criteria.engines or criteria.analysis_types)


def confidence(criteria: ExploreFilter) -> bool:
    return criteria.confidence_min > 0.0 or criteria.confidence_max < 1.0


def plain(viewer: Viewer, criteria: ExploreFilter) -> bool:
    """Nothing but date range, hand, status and line/found; engine and types for analysts."""
    if criteria.text or confidence(criteria):
        return False
    return viewer.sees_everyone or not faceted(criteria)


def by_pattern(viewer: Viewer, criteria: ExploreFilter, *, daily: bool = False) -> bool:
    """A line filter the found-pattern tables answer: global only, and under an engine or
    type filter only over whole months (no daily facet patterns: they would not compress)."""
    if not (viewer.sees_everyone and plain(viewer, criteria)):
        return False
    if not faceted(criteria):
        return True
    return not daily and not month_span(criteria.date_from, criteria.date_to).days


#: An engine or type filter over a date range longer than this (or open) has some reads go to
#: the mirror first (see ``mirror_first``).
MIRROR_FIRST_DAYS = 366


def mirror_first(criteria: ExploreFilter, *, daily: bool = False) -> bool:
    """Whether a read the facet rollups answer is faster from the loaded mirror: under an
    engine or type filter over a long or open date range, the readings per day (``daily``),
    and the line charts and hand shapes of a line filter. Those rollup rows are dense (per
    day, or per month and found pattern, by engine and type set). At 1M readings, over all
    months: the line metrics of engine + fate took 17 / 23 ms (p50 / p95) from the rollups
    against 8 / 8 ms from the mirror; readings per day under an engine or type filter 16–26 /
    20–35 ms against the mirror's 11–14 ms for any filter. Over six months the rollups win
    (metrics 4 / 4 against 6 / 10 ms)."""
    if not faceted(criteria) or not (daily or criteria.narrows_lines):
        return False
    if criteria.date_from is None or criteria.date_to is None:
        return True
    return (criteria.date_to - criteria.date_from).days > MIRROR_FIRST_DAYS


def any_line(criteria: ExploreFilter) -> bool:
    """Any line found (or not found): a reading-level filter, not one line's rows."""
    return criteria.line is None and criteria.line_found is not None


def serves_counts(viewer: Viewer, criteria: ExploreFilter, *, daily: bool = False) -> bool:
    """Reading counts (per day with ``daily``, total) can come from the rollups."""
    if any_line(criteria):
        return by_pattern(viewer, criteria, daily=daily)
    return plain(viewer, criteria)


def serves_charts(viewer: Viewer, criteria: ExploreFilter, *, daily: bool = False) -> bool:
    """Line metrics (per day with ``daily``), line presence and hand shapes can come from
    the rollups for this filter."""
    if criteria.narrows_lines:
        return by_pattern(viewer, criteria, daily=daily)
    return plain(viewer, criteria)


def facet_where(table: Any, criteria: ExploreFilter) -> list[ColumnElement[bool]]:
    """Engine in the chosen ones; type set sharing a bit with the chosen types (any of)."""
    conditions: list[ColumnElement[bool]] = []
    if criteria.engines:
        conditions.append(table.engine.in_(criteria.engines))
    if criteria.analysis_types:
        wanted = types_mask(criteria.analysis_types)
        conditions.append(table.types.bitwise_and(wanted) != 0 if wanted else false())
    return conditions


def undated(table: Any, viewer: Viewer, criteria: ExploreFilter) -> list[ColumnElement[bool]]:
    """Everything of the filter but its date range."""
    conditions: list[ColumnElement[bool]] = (
        facet_where(table, criteria) if faceted(criteria) else []
    )
    if not viewer.sees_everyone:
        conditions.append(table.user_id == viewer.user_id)
    if criteria.hands:
        conditions.append(table.hand.in_(criteria.hands))
    if criteria.statuses:
        conditions.append(table.status.in_(criteria.statuses))
    return conditions


def filter_where(table: Any, viewer: Viewer, criteria: ExploreFilter) -> list[ColumnElement[bool]]:
    conditions = undated(table, viewer, criteria)
    if criteria.date_from is not None:
        conditions.append(table.day >= criteria.date_from.isoformat())
    if criteria.date_to is not None:
        conditions.append(table.day <= criteria.date_to.isoformat())
    return conditions


def by_month(
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
        conditions = [*undated(monthly, viewer, criteria), *(where(monthly) if where else [])]
        conditions += [monthly.month >= low] if low is not None else []
        conditions += [monthly.month <= high] if high is not None else []
        named = (getattr(monthly, name).label(name) for name in columns)
        parts.append(select(monthly.month.label("bucket"), *named).where(*conditions))
    if span.days:
        conditions = [*undated(daily, viewer, criteria), *(where(daily) if where else [])]
        conditions.append(or_(*(daily.day.between(low, high) for low, high in span.days)))
        named = (getattr(daily, name).label(name) for name in columns)
        month = func.substr(daily.day, 1, 7).label("bucket")
        parts.append(select(month, *named).where(*conditions))
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()


def reading_table(viewer: Viewer, criteria: ExploreFilter) -> Any:
    if faceted(criteria):
        return ReadingFacetDaily
    return ReadingDailyAll if viewer.sees_everyone else ReadingDaily


def line_table(viewer: Viewer, criteria: ExploreFilter) -> Any:
    if faceted(criteria):
        return TrendFacetDaily
    return TrendDailyAll if viewer.sees_everyone else TrendDaily


READING_FACETS = (ReadingFacetDaily, ReadingFacetMonthly)
LINE_FACETS = (TrendFacetDaily, TrendFacetMonthly)


def pattern_where(criteria: ExploreFilter) -> Callable[[Any], list[ColumnElement[bool]]]:
    """The filter's line condition on a pattern table's masks."""
    return pattern_passes(criteria.line, criteria.line_found)


def pattern_tables(criteria: ExploreFilter, *, lines: bool) -> tuple[Any, Any]:
    """The (daily, monthly) pattern tables of reading or line rows for this filter (under an
    engine or type filter only the monthly facet one: its ranges are whole months)."""
    if faceted(criteria):
        return (None, TrendPatternFacetMonthly if lines else ReadingPatternFacetMonthly)
    if lines:
        return (TrendPatternDaily, TrendPatternMonthly)
    return (ReadingPatternDaily, ReadingPatternMonthly)


def both(
    *wheres: Callable[[Any], list[ColumnElement[bool]]],
) -> Callable[[Any], list[ColumnElement[bool]]]:
    return lambda table: [condition for where in wheres for condition in where(table)]


def line_rows(criteria: ExploreFilter) -> Callable[[Any], list[ColumnElement[bool]]]:
    """The chosen line's rows (± found): what a line filter counts."""

    def where(table: Any) -> list[ColumnElement[bool]]:
        conditions = [table.line == criteria.line]
        if criteria.line_found is not None:
            conditions.append(table.found.is_(criteria.line_found))
        return conditions

    return where
