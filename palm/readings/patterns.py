"""A reading's found-pattern: which lines it has and which of them were found, as two bit
masks (one bit per line of ``LINE_BITS``), and the pattern rollups keyed by it
(palm.models.patterns).

A History line filter passes a reading or not by its pattern alone (``pattern_passes``), so
the line charts and hand shapes under it are sums over the passing patterns' rows. The
masks stay small (a reading has at most one row per line) and a line's bit never changes:
LINE_NAMES only grows. Kept in step by ``rollups.apply``; ``rebuild`` recomputes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from palm.models import (
    LineResult,
    Reading,
    ReadingPatternDaily,
    ReadingPatternFacetMonthly,
    ReadingPatternMonthly,
    TrendPatternDaily,
    TrendPatternFacetMonthly,
    TrendPatternMonthly,
)
from palm.vocabulary import LINE_NAMES

LINE_BITS: dict[str, int] = {line: 1 << index for index, line in enumerate(LINE_NAMES)}
PATTERN_KEYS = ("line_mask", "found_mask")


def pattern_of(lines: Iterable[tuple[str, bool]]) -> tuple[int, int]:
    """``(line_mask, found_mask)`` of a reading's (line, found) rows."""
    has = found = 0
    for line, is_found in lines:
        has |= LINE_BITS.get(line, 0)
        if is_found:
            found |= LINE_BITS.get(line, 0)
    return has, found


def pattern_passes(
    line: str | None, line_found: bool | None
) -> Callable[[Any], list[ColumnElement[bool]]]:
    """The SQL condition on a table's masks for "has ``line`` (any, if None) with that
    found-ness (either, if None)" — the raw filter's EXISTS, on the pattern."""

    def where(table: Any) -> list[ColumnElement[bool]]:
        if line is None:
            if line_found is None:
                return []
            if line_found:
                return [table.found_mask != 0]
            return [table.line_mask != table.found_mask]  # found ⊆ has: a line not found
        bit = LINE_BITS[line]
        conditions = [table.line_mask.bitwise_and(bit) != 0]
        if line_found is not None:
            found = table.found_mask.bitwise_and(bit)
            conditions.append(found != 0 if line_found else found == 0)
        return conditions

    return where


def _bits(column: Any) -> ColumnElement[int]:
    return case(*((column == line, literal(bit)) for line, bit in LINE_BITS.items()), else_=0)


def rebuild(session: Session, day: ColumnElement[str], mask: ColumnElement[int]) -> None:
    """Recompute the pattern tables from the readings and their lines (``day``: the dialect's
    UTC day of ``Reading.created_at``; ``mask``: the SQL type-set mask)."""
    for table in (*DAILY, *MONTHLY, *FACET_MONTHLY):
        session.execute(delete(table))
    bit = _bits(LineResult.line)
    masks = (
        select(
            LineResult.reading_id.label("reading_id"),
            func.sum(bit).label("line_mask"),
            func.sum(case((LineResult.found.is_(True), bit), else_=0)).label("found_mask"),
        )
        .group_by(LineResult.reading_id)
        .subquery()
    )
    has, found = func.coalesce(masks.c.line_mask, 0), func.coalesce(masks.c.found_mask, 0)
    hand, shape = func.coalesce(Reading.hand, ""), func.coalesce(Reading.hand_shape, "")
    engine, month = func.coalesce(Reading.engine, ""), func.substr(day, 1, 7)
    pattern = (Reading.status, hand, has, found)
    reading_sets: list[tuple[Any, tuple[Any, ...], list[str]]] = [
        (ReadingPatternDaily, (day,), ["day"]),
        (ReadingPatternMonthly, (month,), ["month"]),
        (ReadingPatternFacetMonthly, (month, engine, mask), ["month", "engine", "types"]),
    ]
    pattern_names = ["status", "hand", *PATTERN_KEYS]
    model: Any
    for model, lead, names in reading_sets:
        groups = (*lead, *pattern, shape)
        query = (
            select(*groups, func.count())
            .select_from(Reading)
            .outerjoin(masks, masks.c.reading_id == Reading.id)
            .group_by(*groups)
        )
        columns = [*names, *pattern_names, "shape", "n"]
        session.execute(insert(model).from_select(columns, query))
    sums = (
        func.count(),
        func.sum(LineResult.length_rel),
        func.sum(LineResult.depth),
        func.sum(LineResult.curvature),
    )
    line_tables = (TrendPatternDaily, TrendPatternMonthly, TrendPatternFacetMonthly)
    line_sets = [(table, rest[1:]) for table, rest in zip(line_tables, reading_sets, strict=True)]
    for model, (lead, names) in line_sets:
        groups = (*lead, *pattern, LineResult.line, LineResult.found)
        query = (
            select(*groups, *sums)
            .select_from(Reading)
            .join(masks, masks.c.reading_id == Reading.id)
            .join(LineResult, LineResult.reading_id == Reading.id)
            .group_by(*groups)
        )
        measures = ["n", "sum_length_rel", "sum_depth", "sum_curvature"]
        columns = [*names, *pattern_names, "line", "found", *measures]
        session.execute(insert(model).from_select(columns, query))


DAILY = (ReadingPatternDaily, TrendPatternDaily)
MONTHLY = (ReadingPatternMonthly, TrendPatternMonthly)
FACET_MONTHLY = (ReadingPatternFacetMonthly, TrendPatternFacetMonthly)
