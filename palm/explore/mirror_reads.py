"""The History reads over the columnar mirror: a filter becomes one boolean mask over the
readings (``matching``), and each aggregate a few array operations over it, giving exactly what
the raw queries of palm.explore.trends and history give (same rows, same order, same rounding).

The line charts sum, per hand, the ``sums`` rows of the matching readings of each period: the
readings are in created_at order, so a period is one contiguous slice and its sums one small
matrix product (BLAS), instead of a gather per line and metric.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from palm.explore.mirror_columns import LINE_INDEX, MEASURES, NONE, Columns
from palm.explore.query import ExploreFilter, day_start
from palm.explore.trend_types import DayCount, LineMetricPoint, PresenceCount, ShapeCount, metric
from palm.readings import types_mask
from palm.vocabulary import LINE_NAMES, Granularity

Mask = npt.NDArray[np.bool_]
EPOCH = date(1970, 1, 1)


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
            mask &= np.isin(values[:size], codes.known(wanted))
    if criteria.analysis_types:
        bits = types_mask(criteria.analysis_types)
        mask &= (columns.types[:size] & bits) != 0
    if criteria.narrows_lines:
        mask &= _has_line(columns, criteria)
    return mask


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


def per_day(columns: Columns, mask: Mask) -> list[DayCount]:
    statuses = columns.status.values
    order = sorted(range(len(statuses)), key=statuses.__getitem__)
    rank = np.zeros(max(len(statuses), 1), np.int64)
    rank[order] = np.arange(len(order))
    days = columns.day[: columns.size][mask]
    if not len(days):
        return []
    first = int(days.min())
    key = (days - first).astype(np.int64) * len(order) + rank[
        columns.status_code[: columns.size][mask]
    ]
    counts = np.bincount(key)
    rows = []
    for index in np.flatnonzero(counts):
        day, status = divmod(int(index), len(order))
        label = (EPOCH + timedelta(days=first + day)).isoformat()
        rows.append(DayCount(label, statuses[order[status]], int(counts[index])))
    return rows


def hand_shapes(columns: Columns, mask: Mask) -> list[ShapeCount]:
    size = columns.size
    selected = mask & (columns.shape_code[:size] != NONE)
    hands, shapes = columns.hand_code[:size][selected], columns.shape_code[:size][selected]
    width = max(len(columns.shape.values), 1)
    counts = np.bincount((hands.astype(np.int64) + 1) * width + shapes)
    rows = [
        ShapeCount(
            columns.hand.name(int(i) // width - 1), columns.shape.name(int(i) % width), int(n)
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
    (readings without a hand are left out, as in the raw query)."""
    size = columns.size
    hand_codes = list(range(len(columns.hand.values)))
    if not size or not hand_codes:
        return []
    weights = np.zeros((len(hand_codes), size))
    for row, code in enumerate(hand_codes):
        weights[row] = mask & (columns.hand_code[:size] == code)
    period = columns.day[:size] if granularity == "day" else columns.month[:size]
    starts = np.flatnonzero(np.r_[True, period[1:] != period[:-1]])
    ends = np.r_[starts[1:], size]
    points = []
    for start, end in zip(starts, ends, strict=True):
        if not weights[:, start:end].any():
            continue
        totals = weights[:, start:end] @ columns.sums[start:end]
        label = _period_label(int(period[start]), granularity)
        points += _points(columns, label, hand_codes, totals)
    return sorted(points, key=lambda p: (p.bucket, p.hand, p.line))


def _points(
    columns: Columns, label: str, hand_codes: list[int], totals: npt.NDArray[np.float64]
) -> list[LineMetricPoint]:
    points = []
    for row, code in enumerate(hand_codes):
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
