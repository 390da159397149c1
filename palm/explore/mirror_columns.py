"""The arrays of the analysts' columnar mirror: every reading as one position in a set of
numpy columns, in (created_at, id) order, so that any History filter is a vectorised mask and
each chart a few array operations over it (palm.explore.mirror_reads).

Per reading: id, created_at (µs since the epoch, UTC), its UTC day and month numbers, status,
hand, shape and engine as codes of small dictionaries, the analysis-type mask
(palm.readings.types_mask), and whether it still exists. Per line of LINE_NAMES: present,
found, confidence (NaN when absent), and a row of ``sums`` holding, for a found line, 1 and its
three metrics (what the line charts add up), zeros otherwise. Float64 throughout the metrics
and confidence: the mirror must give the raw queries' answers to the last bit they round to.

Deleted readings stay as dead positions until ``compact``, which also restores the order
when a reading arrived out of it (a writer's clock behind another's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from palm.vocabulary import LINE_NAMES

LINE_INDEX = {name: index for index, name in enumerate(LINE_NAMES)}
MEASURES = 4  # per line in ``sums``: n, length_rel, depth, curvature
NONE = -1  # the code of a missing value (no hand, no engine…)
Array = npt.NDArray[np.generic]


@dataclass(frozen=True)
class ReadingBatch:
    """Readings as columns (from one query's rows)."""

    ids: npt.NDArray[np.int64]
    ts: npt.NDArray[np.int64]  # µs since the epoch, UTC
    status: Sequence[str]
    hand: Sequence[str | None]
    shape: Sequence[str | None]
    engine: Sequence[str | None]
    types: npt.NDArray[np.int64]


@dataclass(frozen=True)
class LineBatch:
    """Line rows as columns; ``confidence`` NaN and metrics 0 where the row has NULL."""

    reading_ids: npt.NDArray[np.int64]
    line: npt.NDArray[np.int64]  # index in LINE_NAMES
    found: npt.NDArray[np.bool_]
    confidence: npt.NDArray[np.float64]
    metrics: npt.NDArray[np.float64]  # (rows, 3): length_rel, depth, curvature


class Codes:
    """A growing dictionary of the strings of one column (None is ``NONE``)."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def code(self, value: str | None) -> int:
        if value is None:
            return NONE
        found = self._index.get(value)
        if found is None:
            found = self._index[value] = len(self.values)
            self.values.append(value)
        return found

    def known(self, wanted: Iterable[str]) -> list[int]:
        """The codes of the wanted values this column has (an unknown one matches nothing)."""
        return [self._index[value] for value in wanted if value in self._index]

    def name(self, code: int) -> str:
        return "None" if code == NONE else self.values[code]


def micros(moment: datetime) -> int:
    """A moment as µs since the epoch (exact: no float on the way)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=moment.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class Columns:
    """The readings as columns; ``size`` positions are in use."""

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self.version = 0  # bumped by every change: ``derived`` data is cached under it
        self.derived: dict[tuple[int, str], object] = {}
        self.in_order = True
        self.dead = 0
        self.status, self.hand, self.shape, self.engine = Codes(), Codes(), Codes(), Codes()
        #: Positions in id order (ids grow with created_at): ``ids`` itself is searched. If not,
        #: a sorted copy (``_by_id``, built on demand, dropped by every append) is.
        self._ascending = True
        self._by_id: npt.NDArray[np.int64] | None = None
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        lines = len(LINE_NAMES)
        self.ids = np.zeros(capacity, np.int64)
        self.ts = np.zeros(capacity, np.int64)
        self.day = np.zeros(capacity, np.int32)
        self.month = np.zeros(capacity, np.int32)
        self.alive = np.zeros(capacity, np.bool_)
        self.status_code = np.zeros(capacity, np.int16)
        self.hand_code = np.zeros(capacity, np.int16)
        self.shape_code = np.zeros(capacity, np.int16)
        self.engine_code = np.zeros(capacity, np.int16)
        self.types = np.zeros(capacity, np.int16)
        self.present = np.zeros((lines, capacity), np.bool_)
        self.found = np.zeros((lines, capacity), np.bool_)
        self.confidence = np.full((lines, capacity), np.nan)
        self.sums = np.zeros((capacity, lines * MEASURES))

    def _grow(self, needed: int) -> None:
        capacity = len(self.ids)
        if needed <= capacity:
            return
        old, size = self.__dict__.copy(), self.size
        self._allocate(max(needed, capacity * 2))
        for name in ("ids", "ts", "day", "month", "alive", "types", "sums"):
            getattr(self, name)[:size] = old[name][:size]
        for name in ("status_code", "hand_code", "shape_code", "engine_code"):
            getattr(self, name)[:size] = old[name][:size]
        for name in ("present", "found", "confidence"):
            getattr(self, name)[:, :size] = old[name][:, :size]

    def positions(
        self, reading_ids: Sequence[int] | npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Where each reading is (alive or dead), -1 if it has no position."""
        wanted = np.asarray(reading_ids, np.int64)
        ids = self.ids[: self.size]
        order = None
        if not self._ascending:
            if self._by_id is None:
                self._by_id = np.argsort(ids, kind="stable")
            order = self._by_id
        keys = ids if order is None else ids[order]
        at = np.minimum(np.searchsorted(keys, wanted), max(self.size - 1, 0))
        hit = (keys[at] == wanted) if self.size else np.zeros(len(wanted), np.bool_)
        where = at if order is None else order[at]
        return np.where(hit, where, -1).astype(np.int64)

    def upsert(self, readings: ReadingBatch) -> npt.NDArray[np.int64]:
        """Add the readings, or overwrite what their positions hold, with no lines yet (give
        them with ``set_lines``); returns their positions."""
        count = len(readings.ids)
        places = self.positions(readings.ids) if self.size else np.full(count, -1, np.int64)
        existing = places >= 0
        if np.any(self.ts[places[existing]] != readings.ts[existing]):
            self.in_order = False  # an existing reading's time moved
        self.dead -= int(np.count_nonzero(~self.alive[places[existing]]))
        fresh = np.flatnonzero(~existing)
        if len(fresh):
            places[fresh] = self._append(readings.ids[fresh], readings.ts[fresh])
        self.ts[places] = readings.ts
        self.day[places] = readings.ts // 86_400_000_000
        moments = readings.ts.astype("datetime64[us]")
        self.month[places] = moments.astype("datetime64[M]").astype(np.int64)
        self.alive[places] = True
        for codes, column, values in (
            (self.status, self.status_code, readings.status),
            (self.hand, self.hand_code, readings.hand),
            (self.shape, self.shape_code, readings.shape),
            (self.engine, self.engine_code, readings.engine),
        ):
            column[places] = [codes.code(value) for value in values]
        self.types[places] = readings.types
        self.present[:, places] = False
        self.found[:, places] = False
        self.confidence[:, places] = np.nan
        self.sums[places] = 0.0
        self.version += 1
        return places

    def set_lines(self, lines: LineBatch) -> None:
        """Write line rows onto their readings (which ``upsert`` put there)."""
        places = self.positions(lines.reading_ids)
        known = places >= 0
        at, j = places[known], lines.line[known]
        self.present[j, at] = True
        self.found[j, at] = lines.found[known]
        self.confidence[j, at] = lines.confidence[known]
        found = lines.found[known]
        rows, cols = at[found], j[found] * MEASURES
        self.sums[rows, cols] = 1.0
        for offset in range(3):
            self.sums[rows, cols + 1 + offset] = lines.metrics[known][found, offset]
        self.version += 1

    def drop_many(self, reading_ids: Sequence[int]) -> None:
        for at in self.positions(reading_ids):
            if at >= 0 and self.alive[at]:
                self.alive[at] = False
                self.dead += 1
        self.version += 1

    def _append(
        self, ids: npt.NDArray[np.int64], ts: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        start, count = self.size, len(ids)
        self._grow(start + count)
        before_ts = np.r_[self.ts[start - 1 : start], ts] if start else ts
        before_ids = np.r_[self.ids[start - 1 : start], ids] if start else ids
        steps_ts, steps_ids = np.diff(before_ts), np.diff(before_ids)
        if np.any((steps_ts < 0) | ((steps_ts == 0) & (steps_ids < 0))):
            self.in_order = False
        if np.any(steps_ids <= 0):
            self._ascending = False
        self.ids[start : start + count] = ids
        self.ts[start : start + count] = ts
        self.size = start + count
        self._by_id = None
        return np.arange(start, start + count, dtype=np.int64)

    def compact(self) -> npt.NDArray[np.int64]:
        """Drop dead positions and restore (created_at, id) order (after out-of-order writes
        or many deletions); returns each old position's new one (-1: dropped)."""
        size = self.size
        keep = np.flatnonzero(self.alive[:size])
        order = keep[np.lexsort((self.ids[keep], self.ts[keep]))]
        for name in ("ids", "ts", "day", "month", "alive", "types", "sums"):
            column = getattr(self, name)
            column[: len(order)] = column[order]
        for name in ("status_code", "hand_code", "shape_code", "engine_code"):
            column = getattr(self, name)
            column[: len(order)] = column[order]
        for name in ("present", "found", "confidence"):
            column = getattr(self, name)
            column[:, : len(order)] = column[:, order]
        self.size, self.dead, self.in_order = len(order), 0, True
        self._ascending = bool(np.all(np.diff(self.ids[: self.size]) > 0))
        self._by_id = None
        self.version += 1
        new_of_old = np.full(size, -1, np.int64)
        new_of_old[order] = np.arange(len(order), dtype=np.int64)
        return new_of_old

    def needs_compaction(self) -> bool:
        return not self.in_order or self.dead > max(1024, self.size // 10)
