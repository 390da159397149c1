"""The rows the trends aggregates return (shared by the raw and the rollup queries)."""

from __future__ import annotations

from dataclasses import dataclass


def metric(mean: float) -> float:
    """A chart's mean metric, rounded to 4 places. Rounded to 9 places first: means summed in a
    different order (raw rows vs daily rollups) differ in the last bits, which must not flip a
    tie at the 5th place (inputs with 3 decimals make such ties common)."""
    return round(round(mean, 9), 4)


@dataclass(frozen=True)
class DayCount:
    day: str
    status: str
    count: int


@dataclass(frozen=True)
class LineMetricPoint:
    """Mean metrics of one line on one hand over one period (found lines only)."""

    bucket: str
    hand: str
    line: str
    length_rel: float
    depth: float
    curvature: float
    count: int


@dataclass(frozen=True)
class ShapeCount:
    hand: str
    shape: str
    count: int


@dataclass(frozen=True)
class PresenceCount:
    line: str
    found: bool
    count: int
