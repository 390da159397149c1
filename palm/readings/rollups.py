"""Keep the trend rollups (palm.models.rollups) in step with readings and their lines.

A reading contributes one count to ``reading_daily`` (its day, status, hand, shape) and each of
its line rows one count plus metric sums to ``trend_daily`` (day, status, hand, line, found);
the ``*_all`` twins get the same. Every change goes through here, in the transaction that
changes the source rows: take a ``snapshot`` of the reading's contribution before, change it,
and ``apply`` the difference to the new one (a retried completion, a status change or a delete
is then counted exactly once). Increments are ``INSERT … ON CONFLICT DO UPDATE`` with the rows
in key order (one statement per table, so concurrent writers lock rows in the same order).
``rebuild`` recomputes everything from the source rows (ops, bulk loads, consistency checks).
The analysts' facet twins (engine and type set in the key, palm.readings.facets) and their
monthly sums move with the same contribution in the same call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from palm.models import (
    LineResult,
    Reading,
    ReadingDaily,
    ReadingDailyAll,
    ReadingFacetDaily,
    ReadingFacetMonthly,
    ReadingFacetPerDay,
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
from palm.readings import changes, facets, patterns
from palm.vocabulary import Granularity

ReadingKey = tuple[str, str, str, str]  # day, status, hand, shape
LineKey = tuple[str, str, str, str, bool]  # day, status, hand, line, found
Sums = tuple[int, float, float, float]  # n, length_rel, depth, curvature
READING_KEYS = ("day", "status", "hand", "shape")
LINE_KEYS = ("day", "status", "hand", "line", "found")
LINE_MEASURES = ("n", "sum_length_rel", "sum_depth", "sum_curvature")
FACET_READING_KEYS = (*READING_KEYS, *facets.FACET_KEYS)
FACET_LINE_KEYS = (*LINE_KEYS, *facets.FACET_KEYS)
MONTHLY_READING_KEYS = ("month", *FACET_READING_KEYS[1:])
MONTHLY_LINE_KEYS = ("month", *FACET_LINE_KEYS[1:])
PER_DAY_KEYS = ("day", "status", "hand", *facets.FACET_KEYS)
PATTERN_TABLES: tuple[tuple[Any, tuple[str, ...], tuple[str, ...]], ...] = (
    # table, its keys, its measures; in the order of Contribution.patterned()
    (ReadingPatternDaily, (*READING_KEYS, *patterns.PATTERN_KEYS), ("n",)),
    (ReadingPatternMonthly, (*MONTHLY_READING_KEYS[:4], *patterns.PATTERN_KEYS), ("n",)),
    (ReadingPatternFacetMonthly, (*MONTHLY_READING_KEYS, *patterns.PATTERN_KEYS), ("n",)),
    (TrendPatternDaily, (*LINE_KEYS, *patterns.PATTERN_KEYS), LINE_MEASURES),
    (TrendPatternMonthly, (*MONTHLY_LINE_KEYS[:5], *patterns.PATTERN_KEYS), LINE_MEASURES),
    (TrendPatternFacetMonthly, (*MONTHLY_LINE_KEYS, *patterns.PATTERN_KEYS), LINE_MEASURES),
)
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Contribution:
    """What one reading adds to the rollups."""

    user_id: int
    reading: ReadingKey
    lines: tuple[tuple[LineKey, Sums], ...]
    facet: tuple[str, int] = ("", 0)  # engine, analysis types mask
    pattern: tuple[int, int] = (0, 0)  # line mask, found mask (palm.readings.patterns)
    reading_id: int | None = None  # listed in the change sequence (palm.readings.changes)

    def faceted(self) -> tuple[Key, tuple[tuple[Key, Sums], ...]]:
        """The reading key and line keys of the facet tables (the same, plus the facet)."""
        return (*self.reading, *self.facet), tuple(
            ((*key, *self.facet), sums) for key, sums in self.lines
        )

    def patterned(self) -> tuple[list[tuple[Key, Sequence[float]]], ...]:
        """Its entries in each of PATTERN_TABLES (a month key is its day's 'YYYY-MM')."""
        month = self.reading[0][:7]
        reading, lines = self.faceted()
        return (
            [((*self.reading, *self.pattern), (1,))],
            [((month, *self.reading[1:], *self.pattern), (1,))],
            [((month, *reading[1:], *self.pattern), (1,))],
            [((*key, *self.pattern), sums) for key, sums in self.lines],
            [((month, *key[1:], *self.pattern), sums) for key, sums in self.lines],
            [((month, *key[1:], *self.pattern), sums) for key, sums in lines],
        )


def bucket_of(session: Session, granularity: Granularity) -> ColumnElement[str]:
    """created_at as a 'YYYY-MM-DD' or 'YYYY-MM' string in UTC, in the database's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        pattern = "YYYY-MM-DD" if granularity == "day" else "YYYY-MM"
        return func.to_char(func.timezone("UTC", Reading.created_at), pattern)
    return func.strftime("%Y-%m-%d" if granularity == "day" else "%Y-%m", Reading.created_at)


def snapshot(
    session: Session, reading: Reading, lines: Sequence[LineResult] | None = None
) -> Contribution:
    """The reading's contribution as it stands; ``lines`` default to its stored line rows."""
    if lines is None:
        query = select(LineResult).where(LineResult.reading_id == reading.id)
        lines = list(session.scalars(query))
    if reading.created_at is None:  # a pending reading gets its timestamp on flush
        session.flush()
    day = reading.created_at.astimezone(UTC).strftime("%Y-%m-%d")
    status, hand = str(reading.status), reading.hand or ""
    return Contribution(
        reading.user_id,
        (day, status, hand, reading.hand_shape or ""),
        tuple(
            (
                (day, status, hand, line.line, bool(line.found)),
                (1, line.length_rel or 0.0, line.depth or 0.0, line.curvature or 0.0),
            )
            for line in lines
        ),
        (reading.engine or "", facets.types_mask(reading.analysis_types or ())),
        patterns.pattern_of((line.line, bool(line.found)) for line in lines),
        reading.id,
    )


def apply(session: Session, new: Contribution | None, old: Contribution | None) -> None:
    """Move the rollups from ``old`` to ``new`` (either may be None: added, removed)."""
    either = new or old
    if either is None:
        return
    changes.record(session, either.reading_id)
    parts = [(part, sign) for part, sign in ((new, 1), (old, -1)) if part is not None]
    readings = _net([((p.reading, (1,)), s) for p, s in parts])
    lines = _net([(line, s) for p, s in parts for line in p.lines])
    facet_readings = _net([((p.faceted()[0], (1,)), s) for p, s in parts])
    facet_lines = _net([(line, s) for p, s in parts for line in p.faceted()[1]])
    reading_rows = _rows(READING_KEYS, ("n",), readings)
    line_rows = _rows(LINE_KEYS, LINE_MEASURES, lines)
    owner = either.user_id
    _increment(session, _table(ReadingDaily), READING_KEYS, ("n",), reading_rows, owner)
    _increment(session, _table(ReadingDailyAll), READING_KEYS, ("n",), reading_rows, None)
    _increment(session, _table(TrendDaily), LINE_KEYS, LINE_MEASURES, line_rows, owner)
    _increment(session, _table(TrendDailyAll), LINE_KEYS, LINE_MEASURES, line_rows, None)
    facet_reading_rows = _rows(FACET_READING_KEYS, ("n",), facet_readings)
    facet_line_rows = _rows(FACET_LINE_KEYS, LINE_MEASURES, facet_lines)
    table = _table(ReadingFacetDaily)
    _increment(session, table, FACET_READING_KEYS, ("n",), facet_reading_rows, None)
    table = _table(TrendFacetDaily)
    _increment(session, table, FACET_LINE_KEYS, LINE_MEASURES, facet_line_rows, None)
    monthly_rows = _rows(MONTHLY_READING_KEYS, ("n",), _monthly(facet_readings))
    table = _table(ReadingFacetMonthly)
    _increment(session, table, MONTHLY_READING_KEYS, ("n",), monthly_rows, None)
    monthly_line_rows = _rows(MONTHLY_LINE_KEYS, LINE_MEASURES, _monthly(facet_lines))
    table = _table(TrendFacetMonthly)
    _increment(session, table, MONTHLY_LINE_KEYS, LINE_MEASURES, monthly_line_rows, None)
    per_day_rows = _rows(PER_DAY_KEYS, ("n",), _shapeless(facet_readings))
    _increment(session, _table(ReadingFacetPerDay), PER_DAY_KEYS, ("n",), per_day_rows, None)
    _apply_patterns(session, parts)


def _apply_patterns(session: Session, parts: Sequence[tuple[Contribution, int]]) -> None:
    """The found-pattern tables (palm.models.patterns): the same contribution, keyed also by
    the reading's pattern."""
    entries = [(p.patterned(), sign) for p, sign in parts]
    for index, (model, keys, measures) in enumerate(PATTERN_TABLES):
        totals = _net([(entry, sign) for tables, sign in entries for entry in tables[index]])
        rows = _rows(keys, measures, totals)
        _increment(session, _table(model), keys, measures, rows, None)


def _shapeless(daily: dict[Key, list[float]]) -> dict[Key, list[float]]:
    """Daily facet reading differences summed over the hand shape (the key's 4th part)."""
    totals: dict[Key, list[float]] = {}
    for (day, status, hand, _shape, *facet), sums in daily.items():
        total = totals.setdefault((day, status, hand, *facet), [0.0] * len(sums))
        total[0] += sums[0]
    return totals


def _monthly(daily: dict[Key, list[float]]) -> dict[Key, list[float]]:
    """Daily facet differences summed per month (the key's day becomes its 'YYYY-MM')."""
    totals: dict[Key, list[float]] = {}
    for (day, *rest), sums in daily.items():
        total = totals.setdefault((day[:7], *rest), [0.0] * len(sums))
        for index, value in enumerate(sums):
            total[index] += value
    return totals


def _net(entries: Sequence[tuple[tuple[Key, Sequence[float]], int]]) -> dict[Key, list[float]]:
    """Signed sums per key (the new contribution minus the old one)."""
    totals: dict[Key, list[float]] = {}
    for (key, sums), sign in entries:
        total = totals.setdefault(key, [0.0] * len(sums))
        for index, value in enumerate(sums):
            total[index] += sign * value
    return totals


def _rows(
    keys: Sequence[str], measures: Sequence[str], totals: dict[Key, list[float]]
) -> list[dict[str, Any]]:
    """Rows in key order (concurrent writers lock them alike), counts as integers, and
    nothing for a key whose difference is zero."""
    return [
        {
            **dict(zip(keys, key, strict=True)),
            **dict(zip(measures, (int(sums[0]), *sums[1:]), strict=True)),
        }
        for key, sums in sorted(totals.items())
        if any(sums)
    ]


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def add_reading(
    session: Session, reading: Reading, lines: Sequence[LineResult] | None = None
) -> None:
    """Count a new reading (``lines``: its line rows; default: those stored)."""
    apply(session, snapshot(session, reading, lines), None)


def remove_reading(
    session: Session, reading: Reading, lines: Sequence[LineResult] | None = None
) -> None:
    """Uncount a reading that is about to go (call before its rows are deleted)."""
    apply(session, None, snapshot(session, reading, lines))


@contextmanager
def tracking(session: Session, reading: Reading) -> Iterator[None]:
    """Re-count the reading after the block changed it (status, hand…; lines as stored)."""
    before = snapshot(session, reading)
    yield
    apply(session, snapshot(session, reading), before)


def _increment(
    session: Session,
    table: Table,
    keys: Sequence[str],
    measures: Sequence[str],
    rows: list[dict[str, Any]],
    user_id: int | None,
) -> None:
    if not rows:
        return
    if user_id is not None:
        rows = [{"user_id": user_id, **row} for row in rows]
        keys = ("user_id", *keys)
    statement = _upsert(table, tuple(keys), tuple(measures), session.get_bind().dialect.name)
    # the rows as parameters (executemany), not inlined VALUES: the statement then compiles
    # once per process instead of once per reading (2–5 ms each, four per save)
    session.execute(statement, rows)
    _drop_emptied(session, table, keys, rows)


@cache
def _upsert(table: Table, keys: tuple[str, ...], measures: tuple[str, ...], dialect: str) -> Any:
    """``INSERT … ON CONFLICT (keys) DO UPDATE`` adding the measures, built once per table:
    building it (its ``excluded`` alias above all) cost more than running it."""
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in measures},
    )


def _drop_emptied(
    session: Session, table: Table, keys: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """A bucket whose count fell to 0 goes: its float sums would only keep rounding dust
    (4.4e-16) and an empty row is no data. Only the buckets just written are looked at."""
    if all(row["n"] > 0 for row in rows):
        return
    touched = [{f"key_{name}": row[name] for name in keys} for row in rows if row["n"] <= 0]
    session.execute(_delete_emptied(table, tuple(keys)), touched)


@cache
def _delete_emptied(table: Table, keys: tuple[str, ...]) -> Any:
    """``DELETE`` of one bucket by its key if its count is ≤ 0, built once per table."""
    matches = (table.c[name] == bindparam(f"key_{name}") for name in keys)
    return delete(table).where(*matches, table.c.n <= 0)


def rebuild(session: Session) -> None:
    """Recompute every rollup from the source rows (INSERT … SELECT … GROUP BY); the readings
    were changed behind the change sequence's back, so mirrors are told to reload."""
    changes.record(session, None)
    for model in (ReadingDaily, ReadingDailyAll, TrendDaily, TrendDailyAll):
        session.execute(delete(model))
    day = bucket_of(session, "day")
    hand, shape = func.coalesce(Reading.hand, ""), func.coalesce(Reading.hand_shape, "")
    keys = (Reading.user_id, day, Reading.status, hand, shape)
    per_user = select(*keys, func.count()).group_by(*keys)
    session.execute(insert(ReadingDaily).from_select(["user_id", *READING_KEYS, "n"], per_user))
    line_sums = (
        func.count(),
        func.sum(LineResult.length_rel),
        func.sum(LineResult.depth),
        func.sum(LineResult.curvature),
    )
    groups = (Reading.user_id, day, Reading.status, hand, LineResult.line, LineResult.found)
    per_user_lines = (
        select(*groups, *line_sums)
        .join(LineResult, LineResult.reading_id == Reading.id)
        .group_by(*groups)
    )
    session.execute(
        insert(TrendDaily).from_select(["user_id", *LINE_KEYS, *LINE_MEASURES], per_user_lines)
    )
    _sum_users(session, _table(ReadingDaily), _table(ReadingDailyAll), READING_KEYS, ("n",))
    _sum_users(session, _table(TrendDaily), _table(TrendDailyAll), LINE_KEYS, LINE_MEASURES)
    facets.rebuild(session, day)
    patterns.rebuild(session, day, facets.sql_mask())


def _sum_users(
    session: Session, source: Table, target: Table, keys: Sequence[str], measures: Sequence[str]
) -> None:
    columns = [source.c[name] for name in keys]
    query = select(*columns, *[func.sum(source.c[name]) for name in measures]).group_by(*columns)
    session.execute(insert(target).from_select([*keys, *measures], query))
