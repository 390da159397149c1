"""The History reads over the columnar mirror: a filter becomes one boolean mask over the
readings (``matching``), and each aggregate a few array operations over it, giving exactly what
the raw queries of palm.explore.trends and history give (same rows, same order, same rounding).

The line charts sum, per hand, the ``sums`` rows of the matching readings of each period: the
readings are in created_at order, so a period's rows are contiguous and one ``reduceat`` adds
them up, for whichever side of the mask is smaller (see ``line_metrics``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt

from palm.explore.mirror_columns import LINE_INDEX, MEASURES, NONE, Columns
from palm.explore.query import ExploreFilter, day_start
from palm.explore.trend_types import DayCount, LineMetricPoint, PresenceCount, ShapeCount, metric
from palm.readings import types_mask
from palm.vocabulary import LINE_NAMES, Granularity

T = TypeVar("T")
Mask = npt.NDArray[np.bool_]
Positions = npt.NDArray[np.int64]
EPOCH = date(1970, 1, 1)
#: What streaming a row costs against gathering one (measured: a gather costs about 3× per
#: row): the line charts stream the matches' span when it is cheaper than either gather.
GATHER_BELOW = 0.3


def matching(columns: Columns, criteria: ExploreFilter) -> Mask:
    """The readings that pass the filter (text search is not the mirror's: see mirror.py)."""
    size = columns.size
    mask = columns.alive[:size].copy()
    if criteria.date_from is not None:
        mask &= columns.ts[:size] >= _micros_of(criteria.date_from)
    if criteria.date_to is not None:
        mask &= columns.ts[:size] < _micros_of(criteria.date_to + timedelta(days=1))
    for wanted, codes, values in (
        (criteria.hands, columns.hand, columns.hand_code),
        (criteria.statuses, columns.status, columns.status_code),
        (criteria.engines, columns.engine, columns.engine_code),
    ):
        if wanted:
            mask &= _one_of(values[:size], codes.known(wanted))
    if criteria.analysis_types:
        bits = types_mask(criteria.analysis_types)
        mask &= (columns.types[:size] & bits) != 0
    if criteria.narrows_lines:
        mask &= _has_line(columns, criteria)
    return mask


def _one_of(values: npt.NDArray[np.int16], codes: list[int]) -> Mask:
    """``np.isin`` for a handful of codes: one comparison each (isin sorts: 10 ms at 1M)."""
    chosen = np.zeros(len(values), np.bool_)
    for code in codes:
        chosen |= values == code
    return chosen


def _micros_of(day: date) -> int:
    return (day_start(day).date() - EPOCH).days * 86_400_000_000


def _has_line(columns: Columns, criteria: ExploreFilter) -> Mask:
    """A line of the reading (the chosen one, or any) with the found-ness and confidence."""
    size = columns.size
    chosen = [LINE_INDEX[criteria.line]] if criteria.line is not None else range(len(LINE_NAMES))
    passes = np.zeros(size, np.bool_)
    for j in chosen:
        line = columns.present[j, :size].copy()
        if criteria.line_found is not None:
            line &= columns.found[j, :size] == criteria.line_found
        if criteria.confidence_min > 0.0:
            line &= columns.confidence[j, :size] >= criteria.confidence_min
        if criteria.confidence_max < 1.0:
            line &= columns.confidence[j, :size] <= criteria.confidence_max
        passes |= line
    return passes


def count(_columns: Columns, mask: Mask) -> int:
    return int(np.count_nonzero(mask))


def page_ids(columns: Columns, mask: Mask, after: tuple[int, int] | None, limit: int) -> list[int]:
    """The ids of the first ``limit`` matching readings newest first, after the keyset cursor
    ``after`` ((created_at µs, id), exclusive): the readings are in (created_at, id) order,
    so the cursor is a cut and the page the last matches before it."""
    end = columns.size
    if after is not None:
        stamp, reading_id = after
        low = int(np.searchsorted(columns.ts[:end], stamp, "left"))
        high = int(np.searchsorted(columns.ts[:end], stamp, "right"))
        end = low + int(np.count_nonzero(columns.ids[low:high] < reading_id))
    matches = np.flatnonzero(mask[:end])[-limit:][::-1]
    return [int(reading_id) for reading_id in columns.ids[matches]]


def per_day(columns: Columns, mask: Mask) -> list[DayCount]:
    """Readings per day and status, ordered like the raw query (day, then status name)."""
    statuses = columns.status.values
    order = sorted(range(len(statuses)), key=statuses.__getitem__)
    key, first = _day_keys(columns, order)
    counts = np.bincount(key, weights=mask) if len(key) else np.zeros(0)
    rows = []
    for index in np.flatnonzero(counts):
        day, status = divmod(int(index), len(order))
        label = (EPOCH + timedelta(days=first + day)).isoformat()
        rows.append(DayCount(label, statuses[order[status]], round(counts[index])))
    return rows


def _day_keys(columns: Columns, order: list[int]) -> tuple[Positions, int]:
    """Each position's (day, status rank) as one bincount key, and the first day (kept per
    version): a count is then one weighted bincount, with no gather of the matches."""

    def keys() -> tuple[Positions, int]:
        size = columns.size
        rank = np.zeros(max(len(order), 1), np.int64)
        rank[order] = np.arange(len(order))
        days = columns.day[:size]
        first = int(days.min()) if size else 0
        return (days - first).astype(np.int64) * len(order) + rank[
            columns.status_code[:size]
        ], first

    return _derived(columns, f"day-keys:{len(order)}", keys)


def hand_shapes(columns: Columns, mask: Mask) -> list[ShapeCount]:
    """Readings per hand and shape (readings without a shape left out), ordered by name."""
    width = max(len(columns.shape.values), 1)
    unshaped = (len(columns.hand.values) + 1) * width  # one bin past every (hand, shape) one

    def keys() -> Positions:
        hands, shapes = columns.hand_code[: columns.size], columns.shape_code[: columns.size]
        shaped = (hands.astype(np.int64) + 1) * width + shapes
        return np.where(shapes != NONE, shaped, unshaped)

    key = _derived(columns, f"shape-keys:{width}", keys)
    counts = np.bincount(key, weights=mask)[:unshaped]
    rows = [
        ShapeCount(
            columns.hand.name(int(i) // width - 1), columns.shape.name(int(i) % width), round(n)
        )
        for i, n in ((i, counts[i]) for i in np.flatnonzero(counts))
    ]
    return sorted(rows, key=lambda row: (row.hand, row.shape))


def line_presence(columns: Columns, mask: Mask) -> list[PresenceCount]:
    size = columns.size
    rows = []
    for line in sorted(LINE_NAMES):
        j = LINE_INDEX[line]
        present = columns.present[j, :size] & mask
        found = int(np.count_nonzero(present & columns.found[j, :size]))
        missing = int(np.count_nonzero(present)) - found
        rows += [PresenceCount(line, False, missing)] if missing else []
        rows += [PresenceCount(line, True, found)] if found else []
    return rows


def line_metrics(columns: Columns, mask: Mask, granularity: Granularity) -> list[LineMetricPoint]:
    """Per period, hand and line: the mean metrics of the found lines of matching readings
    (readings without a hand are left out, as in the raw query). The sums are read for the
    cheapest side (``_totals``)."""
    size = columns.size
    if not size or not columns.hand.values or not np.any(mask):
        return []
    starts, labels = _periods(columns, granularity)
    totals = _totals(columns, mask, starts, granularity)
    points = []
    for index, label in enumerate(labels):
        points += _points(columns, label, totals[index])
    return sorted(points, key=lambda p: (p.bucket, p.hand, p.line))


def _totals(
    columns: Columns, mask: Mask, starts: Positions, granularity: Granularity
) -> npt.NDArray[np.float64]:
    """(period, hand, sums row) totals of the matching readings, from whichever is cheapest:
    gathering the matches' rows; the totals of every living reading of the periods and hands
    the matches fall in (kept per version) minus the rows of the others there (a confidence
    range under a hand filter matches most of that hand); or streaming the matches' span."""
    size = columns.size
    matched = int(np.count_nonzero(mask))
    low, high = int(mask.argmax()), size - int(mask[::-1].argmax())  # the matches' span
    first = int(np.searchsorted(starts, low, "right")) - 1
    last = int(np.searchsorted(starts, high - 1, "right"))  # periods [first, last)
    of_hand = _hand_masks(columns)
    hands = [hand for hand, mine in enumerate(of_hand) if np.any(mask[low:high] & mine[low:high])]
    living = _living(columns, granularity)[first:last, hands]
    others = int(living.sum()) - matched  # living readings of those periods and hands, unmatched
    gather, subtract, stream = matched, max(others, 0), GATHER_BELOW * (high - low)
    if gather <= min(subtract, stream):
        return _sums(columns, mask, starts)
    if subtract <= stream:
        ends = np.r_[starts[1:], size]
        base = np.zeros(size, np.bool_)
        base[int(starts[first]) : int(ends[last - 1])] = True
        base &= columns.alive[:size]
        if len(hands) < len(of_hand) or np.any(columns.hand_code[:size] < 0):
            base &= np.logical_or.reduce([of_hand[hand] for hand in hands])
        totals = np.zeros_like(_everything(columns, granularity))
        totals[first:last, hands] = _everything(columns, granularity)[first:last, hands]
        return totals - _sums(columns, base & ~mask, starts)
    return _streamed(columns, mask, starts, low, high)


def _hand_masks(columns: Columns) -> list[Mask]:
    """Per hand code, the readings of that hand (kept per version of the columns)."""

    def masks() -> list[Mask]:
        codes = columns.hand_code[: columns.size]
        return [codes == hand for hand in range(len(columns.hand.values))]

    return _derived(columns, "hands", masks)


def _living(columns: Columns, granularity: Granularity) -> npt.NDArray[np.int64]:
    """Living readings per (period, hand), kept per version of the columns."""

    def living() -> npt.NDArray[np.int64]:
        starts, _ = _periods(columns, granularity)
        alive = columns.alive[: columns.size]
        counts = [
            np.add.reduceat((alive & mine).astype(np.int64), starts)
            for mine in _hand_masks(columns)
        ]
        return np.stack(counts, 1)

    return _derived(columns, f"living:{granularity}", living)


def _periods(columns: Columns, granularity: Granularity) -> tuple[Positions, list[str]]:
    """Where each period (day or month) starts among the positions, and its label (kept per
    version of the columns)."""

    def periods() -> tuple[Positions, list[str]]:
        size = columns.size
        period = columns.day[:size] if granularity == "day" else columns.month[:size]
        starts = np.flatnonzero(np.r_[True, period[1:] != period[:-1]])
        return starts, [_period_label(int(period[at]), granularity) for at in starts]

    return _derived(columns, f"periods:{granularity}", periods)


def _derived(columns: Columns, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept under the columns' version (older versions' entries go)."""
    key = (columns.version, name)
    if key not in columns.derived:
        for old in [k for k in columns.derived if k[0] != columns.version]:
            del columns.derived[old]
        columns.derived[key] = compute()
    return cast(T, columns.derived[key])


def _sums(columns: Columns, selected: Mask, starts: Positions) -> npt.NDArray[np.float64]:
    """(period, hand, sums row) totals of the selected readings' ``sums`` rows: the rows are
    gathered once (a pass per hand cost a third more at 13 % of 1M readings), then each
    period's slice of them is one (hands × rows) @ (rows × sums) product with the rows' hands
    as weights."""
    hands = len(columns.hand.values)
    totals = np.zeros((len(starts), hands, columns.sums.shape[1]))
    codes = columns.hand_code[: columns.size]
    picked = np.flatnonzero(selected & (codes >= 0))
    if not len(picked):
        return totals
    rows = np.take(columns.sums, picked, axis=0)
    weights = (codes[picked][None, :] == np.arange(hands)[:, None]).astype(np.float64)
    bounds = np.r_[np.searchsorted(picked, starts), len(picked)]
    for index in np.flatnonzero(bounds[1:] > bounds[:-1]):
        start, end = bounds[index], bounds[index + 1]
        totals[index] = weights[:, start:end] @ rows[start:end]
    return totals


def _streamed(
    columns: Columns, selected: Mask, starts: Positions, low: int, high: int
) -> npt.NDArray[np.float64]:
    """``_sums`` of the selected positions, all within [low, high), as one (hands × positions)
    @ (positions × sums) product per period: reads each row of the span once, in order
    (memory-bound: ~25 ms per million rows here)."""
    hands = len(columns.hand.values)
    totals = np.zeros((len(starts), hands, columns.sums.shape[1]))
    weights = np.zeros((hands, high - low))
    for hand in range(hands):
        weights[hand] = selected[low:high] & (columns.hand_code[low:high] == hand)
    ends = np.r_[starts[1:], columns.size]
    for index in range(int(np.searchsorted(starts, low, "right")) - 1, len(starts)):
        start, end = max(int(starts[index]), low), min(int(ends[index]), high)
        if start >= end:
            break
        totals[index] = weights[:, start - low : end - low] @ columns.sums[start:end]
    return totals


def _everything(columns: Columns, granularity: Granularity) -> npt.NDArray[np.float64]:
    """``_sums`` of every living reading, once per version of the columns."""

    def everything() -> npt.NDArray[np.float64]:
        starts, _ = _periods(columns, granularity)
        return _streamed(columns, columns.alive[: columns.size], starts, 0, columns.size)

    return _derived(columns, f"everything:{granularity}", everything)


def _points(columns: Columns, label: str, totals: npt.NDArray[np.float64]) -> list[LineMetricPoint]:
    points = []
    for row, code in enumerate(range(len(columns.hand.values))):
        for j, line in enumerate(LINE_NAMES):
            n, length, depth, curvature = totals[row, j * MEASURES : (j + 1) * MEASURES]
            if n > 0:
                hand = columns.hand.name(code)
                length, depth, curvature = (
                    metric(float(v) / float(n)) for v in (length, depth, curvature)
                )
                points.append(
                    LineMetricPoint(label, hand, line, length, depth, curvature, round(n))
                )
    return points


def _period_label(value: int, granularity: Granularity) -> str:
    if granularity == "day":
        return (EPOCH + timedelta(days=value)).isoformat()
    year, month = divmod(value, 12)
    return f"{1970 + year:04d}-{month + 1:02d}"
