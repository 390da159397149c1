"""The analysts' facet rollups (``reading_facet_daily``, ``trend_facet_daily``): the daily
sums of palm.readings.rollups, keyed also by the engine and the *set* of analysis types; and
the same per month (``*_facet_monthly``), which charts over whole months sum instead.

The set is a bit mask (one bit per type of ``TYPE_BITS``): a History type filter means "has
any of these types", which on a mask is ``types & wanted != 0``, exact for any selection of
types, where per-type rows would count a reading once per type it has. Only the global twins
exist: a user's own views (≤ 10k readings) are fast enough raw, and per-user facet rows would
multiply the write cost for no reader. Kept in step by ``rollups.apply`` (same transaction,
same increments); ``rebuild`` recomputes them from the source rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from palm.models import (
    LineResult,
    Reading,
    ReadingFacetDaily,
    ReadingFacetMonthly,
    ReadingFacetPerDay,
    TrendFacetDaily,
    TrendFacetMonthly,
)
from palm.vocabulary import ANALYSIS_TYPES

#: One bit per analysis type. Stored in the rollups: a new type takes the next bit, never an
#: existing one (ANALYSIS_TYPES is append-only for that reason).
TYPE_BITS: dict[str, int] = {kind: 1 << index for index, kind in enumerate(ANALYSIS_TYPES)}
FACET_KEYS = ("engine", "types")


def types_mask(types: Iterable[str]) -> int:
    """The mask of a reading's analysis types (unknown names have no bit, as in the raw
    filter, which only matches known types)."""
    mask = 0
    for kind in types:
        mask |= TYPE_BITS.get(kind, 0)
    return mask


def sql_mask() -> ColumnElement[int]:
    """``types_mask`` of the stored JSON list, in SQL: the raw filter's quoted-token test per
    type (``"love"`` in the JSON text), summed as bits."""
    text = cast(Reading.analysis_types, String)
    bits = [
        case((text.contains(f'"{kind}"'), literal(bit)), else_=literal(0))
        for kind, bit in TYPE_BITS.items()
    ]
    total: ColumnElement[int] = bits[0]
    for bit in bits[1:]:
        total = total + bit
    return total


def rebuild(session: Session, day: ColumnElement[str]) -> None:
    """Recompute both facet tables from the readings and their lines (``day``: the dialect's
    UTC day of ``Reading.created_at``)."""
    session.execute(delete(ReadingFacetDaily))
    session.execute(delete(TrendFacetDaily))
    hand, shape = func.coalesce(Reading.hand, ""), func.coalesce(Reading.hand_shape, "")
    engine, types = func.coalesce(Reading.engine, ""), sql_mask()
    keys = (day, Reading.status, hand, shape, engine, types)
    readings = select(*keys, func.count()).group_by(*keys)
    columns = ["day", "status", "hand", "shape", *FACET_KEYS, "n"]
    session.execute(insert(ReadingFacetDaily).from_select(columns, readings))
    groups = (day, Reading.status, hand, engine, types, LineResult.line, LineResult.found)
    lines = (
        select(
            *groups,
            func.count(),
            func.sum(LineResult.length_rel),
            func.sum(LineResult.depth),
            func.sum(LineResult.curvature),
        )
        .join(LineResult, LineResult.reading_id == Reading.id)
        .group_by(*groups)
    )
    measures = ["n", "sum_length_rel", "sum_depth", "sum_curvature"]
    line_columns = ["day", "status", "hand", *FACET_KEYS, "line", "found", *measures]
    session.execute(insert(TrendFacetDaily).from_select(line_columns, lines))
    sum_months(session)


def sum_months(session: Session) -> None:
    """Recompute the monthly facet tables and the shapeless per-day one from the daily ones."""
    session.execute(delete(ReadingFacetPerDay))
    columns = ["day", "status", "hand", *FACET_KEYS]
    per_day_keys = [getattr(ReadingFacetDaily, name) for name in columns]
    per_day = select(*per_day_keys, func.sum(ReadingFacetDaily.n)).group_by(*per_day_keys)
    session.execute(insert(ReadingFacetPerDay).from_select([*columns, "n"], per_day))
    reading_keys = ("status", "hand", "shape", *FACET_KEYS)
    line_keys = ("status", "hand", "line", "found", *FACET_KEYS)
    line_measures = ("n", "sum_length_rel", "sum_depth", "sum_curvature")
    pairs: list[tuple[Any, Any, tuple[str, ...], tuple[str, ...]]] = [
        (ReadingFacetDaily, ReadingFacetMonthly, reading_keys, ("n",)),
        (TrendFacetDaily, TrendFacetMonthly, line_keys, line_measures),
    ]
    for daily, monthly, keys, measures in pairs:
        session.execute(delete(monthly))
        groups = (func.substr(daily.day, 1, 7), *(getattr(daily, name) for name in keys))
        sums = (func.sum(getattr(daily, name)) for name in measures)
        query = select(*groups, *sums).group_by(*groups)
        session.execute(insert(monthly).from_select(["month", *keys, *measures], query))
