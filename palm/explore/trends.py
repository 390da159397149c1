"""Trends: the chart aggregates, computed in SQL (GROUP BY), never by loading rows.

Each function takes the same viewer and filter as the history list, so the charts always
describe exactly the rows the table shows. Filters a rollup can answer exactly are read from
the rollup tables (palm.explore.trends_rollup); ``rollups=False`` forces the raw query. The
others go to the columnar ``mirror`` when one is given and has loaded (palm.explore.mirror),
else raw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.explore import mirror_reads, rollup_where
from palm.explore import trends_rollup as rollup
from palm.explore.mirror import Mirror
from palm.explore.mirror_columns import Columns
from palm.explore.mirror_reads import Mask
from palm.explore.query import ExploreFilter, Viewer
from palm.explore.query import reading_conditions as where
from palm.explore.trend_types import (
    DayCount,
    LineMetricPoint,
    PresenceCount,
    ShapeCount,
    metric,
)
from palm.models import LineResult, Reading
from palm.readings import bucket_of
from palm.vocabulary import Granularity

T = TypeVar("T")

__all__ = [
    "DayCount",
    "LineMetricPoint",
    "PresenceCount",
    "ShapeCount",
    "engines_in_use",
    "hand_shapes",
    "line_metrics_over_time",
    "line_presence",
    "readings_per_day",
]


def readings_per_day(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    *,
    rollups: bool = True,
    mirror: Mirror | None = None,
) -> list[DayCount]:
    if rollups and rollup.serves_counts(viewer, criteria, daily=True):
        first = _mirror_first(
            session, mirror, viewer, criteria, "per_day", mirror_reads.per_day, daily=True
        )
        return first if first is not None else rollup.readings_per_day(session, viewer, criteria)
    answered = _mirrored(session, mirror, viewer, criteria, "per_day", mirror_reads.per_day)
    if answered is not None:
        return answered
    day = bucket_of(session, "day").label("day")
    query = (
        select(day, Reading.status, func.count(Reading.id))
        .where(*where(session, viewer, criteria))
        .group_by(day, Reading.status)
        .order_by(day, Reading.status)
    )
    return [DayCount(str(d), str(status), int(n)) for d, status, n in session.execute(query)]


def line_metrics_over_time(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    granularity: Granularity = "month",
    *,
    rollups: bool = True,
    mirror: Mirror | None = None,
) -> list[LineMetricPoint]:
    def read(columns: Columns, mask: Mask) -> list[LineMetricPoint]:
        return mirror_reads.line_metrics(columns, mask, granularity)

    name = f"metrics:{granularity}"
    if rollups and rollup.serves_charts(viewer, criteria, daily=granularity == "day"):
        answered = _mirror_first(session, mirror, viewer, criteria, name, read)
        if answered is not None:
            return answered
        return rollup.line_metrics_over_time(session, viewer, criteria, granularity)
    answered = _mirrored(session, mirror, viewer, criteria, name, read)
    if answered is not None:
        return answered
    bucket = bucket_of(session, granularity).label("bucket")
    query = (
        select(
            bucket,
            Reading.hand,
            LineResult.line,
            func.avg(LineResult.length_rel),
            func.avg(LineResult.depth),
            func.avg(LineResult.curvature),
            func.count(),
        )
        .join(LineResult, LineResult.reading_id == Reading.id)
        .where(
            *where(session, viewer, criteria), LineResult.found.is_(True), Reading.hand.is_not(None)
        )
        .group_by(bucket, Reading.hand, LineResult.line)
        .order_by(bucket, Reading.hand, LineResult.line)
    )
    return [
        LineMetricPoint(
            str(b),
            str(hand),
            str(line),
            metric(float(lr)),
            metric(float(dp)),
            metric(float(cv)),
            int(n),
        )
        for b, hand, line, lr, dp, cv, n in session.execute(query)
    ]


def hand_shapes(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    *,
    rollups: bool = True,
    mirror: Mirror | None = None,
) -> list[ShapeCount]:
    if rollups and rollup.serves_charts(viewer, criteria):
        first = _mirror_first(session, mirror, viewer, criteria, "shapes", mirror_reads.hand_shapes)
        return first if first is not None else rollup.hand_shapes(session, viewer, criteria)
    answered = _mirrored(session, mirror, viewer, criteria, "shapes", mirror_reads.hand_shapes)
    if answered is not None:
        return answered
    query = (
        select(Reading.hand, Reading.hand_shape, func.count(Reading.id))
        .where(*where(session, viewer, criteria), Reading.hand_shape.is_not(None))
        .group_by(Reading.hand, Reading.hand_shape)
        .order_by(Reading.hand, Reading.hand_shape)
    )
    return [ShapeCount(str(hand), str(shape), int(n)) for hand, shape, n in session.execute(query)]


def line_presence(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    *,
    rollups: bool = True,
    mirror: Mirror | None = None,
) -> list[PresenceCount]:
    if rollups and rollup.serves_charts(viewer, criteria):
        first = _mirror_first(
            session, mirror, viewer, criteria, "presence", mirror_reads.line_presence
        )
        return first if first is not None else rollup.line_presence(session, viewer, criteria)
    answered = _mirrored(session, mirror, viewer, criteria, "presence", mirror_reads.line_presence)
    if answered is not None:
        return answered
    query = (
        select(LineResult.line, LineResult.found, func.count())
        .join(Reading, Reading.id == LineResult.reading_id)
        .where(*where(session, viewer, criteria))
        .group_by(LineResult.line, LineResult.found)
        .order_by(LineResult.line, LineResult.found)
    )
    return [PresenceCount(str(line), bool(f), int(n)) for line, f, n in session.execute(query)]


def _mirror_first(
    session: Session,
    mirror: Mirror | None,
    viewer: Viewer,
    criteria: ExploreFilter,
    name: str,
    read: Callable[[Columns, Mask], T],
    *,
    daily: bool = False,
) -> T | None:
    """The mirror's answer where it is faster than the rollups that could answer
    (rollup_where.mirror_first; ``daily``: the readings per day); None otherwise, or while
    the mirror has not loaded (the rollups answer then)."""
    if not rollup_where.mirror_first(criteria, daily=daily):
        return None
    return _mirrored(session, mirror, viewer, criteria, name, read)


def _mirrored(
    session: Session,
    mirror: Mirror | None,
    viewer: Viewer,
    criteria: ExploreFilter,
    name: str,
    read: Callable[[Columns, Mask], T],
) -> T | None:
    """The mirror's answer, if it serves this read and has loaded (else the raw query)."""
    if mirror is None or not mirror.serves(viewer):
        return None
    return mirror.answer(session, name, criteria, read)


def engines_in_use(session: Session, viewer: Viewer) -> list[str]:
    """The engines the viewer's readings were read by (options for the filter bar); an
    analyst's from the facet rollup (its rows all count something: emptied ones are removed)."""
    if viewer.sees_everyone:
        return rollup.engines(session)
    query = select(Reading.engine).where(
        *where(session, viewer, ExploreFilter()), Reading.engine.is_not(None)
    )
    return sorted({str(engine) for engine in session.scalars(query.distinct())})
