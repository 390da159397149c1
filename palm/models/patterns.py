"""Found-pattern rollups: the reading and line rollups keyed also by *which* lines a reading
has and which of them were found (two 6-bit masks, ``palm.readings.patterns``).

A History line filter ("fate found", "any line not found") selects readings, and its line
charts and hand shapes then show all their lines: no per-line sum expresses that, but a
reading's pattern decides whether it passes, so the charts are sums over the patterns that
pass. Readings take few patterns (the principal three are nearly always found), so these
tables stay small: daily rows for the partial months of a date range, monthly rows for its
whole months, and monthly rows with the engine and type set for the analysts' facet filters.
Global only, like the facet tables; kept by ``palm.readings.rollups`` in the same call.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base


class _Pattern:
    """The reading's status, hand and found-pattern: the key every pattern table shares."""

    status: Mapped[str] = mapped_column(String(16), nullable=False)
    hand: Mapped[str] = mapped_column(String(8), nullable=False)
    line_mask: Mapped[int] = mapped_column(Integer, nullable=False)
    found_mask: Mapped[int] = mapped_column(Integer, nullable=False)


class _ReadingPattern(_Pattern):
    shape: Mapped[str] = mapped_column(String(16), nullable=False)
    n: Mapped[int] = mapped_column(Integer, default=0)


class _LinePattern(_Pattern):
    line: Mapped[str] = mapped_column(String(16), nullable=False)
    found: Mapped[bool] = mapped_column(Boolean, nullable=False)
    n: Mapped[int] = mapped_column(Integer, default=0)
    sum_length_rel: Mapped[float] = mapped_column(Float, default=0.0)
    sum_depth: Mapped[float] = mapped_column(Float, default=0.0)
    sum_curvature: Mapped[float] = mapped_column(Float, default=0.0)


def _key(period: str, *middle: str, line: bool = False) -> tuple[PrimaryKeyConstraint]:
    """The primary key, led by the day or month (reads select a date range)."""
    tail = ("line", "found") if line else ("shape",)
    names = (period, "status", "hand", *middle, "line_mask", "found_mask", *tail)
    return (PrimaryKeyConstraint(*names),)


class _Facet:
    engine: Mapped[str] = mapped_column(String(64), nullable=False)
    types: Mapped[int] = mapped_column(Integer, nullable=False)


class ReadingPatternDaily(_ReadingPattern, Base):
    """Everyone's readings per day × status × hand × shape × found-pattern."""

    __tablename__ = "reading_pattern_daily"
    __table_args__ = _key("day")

    day: Mapped[str] = mapped_column(String(10), nullable=False)


class ReadingPatternMonthly(_ReadingPattern, Base):
    """``reading_pattern_daily`` summed per month (``YYYY-MM``)."""

    __tablename__ = "reading_pattern_monthly"
    __table_args__ = _key("month")

    month: Mapped[str] = mapped_column(String(7), nullable=False)


class ReadingPatternFacetMonthly(_ReadingPattern, _Facet, Base):
    """Everyone's readings per month × status × hand × shape × pattern × engine × type set."""

    __tablename__ = "reading_pattern_facet_monthly"
    __table_args__ = _key("month", "engine", "types")

    month: Mapped[str] = mapped_column(String(7), nullable=False)


class TrendPatternDaily(_LinePattern, Base):
    """Everyone's line rows per day × status × hand × their reading's pattern × line × found,
    with the metric sums."""

    __tablename__ = "trend_pattern_daily"
    __table_args__ = _key("day", line=True)

    day: Mapped[str] = mapped_column(String(10), nullable=False)


class TrendPatternMonthly(_LinePattern, Base):
    """``trend_pattern_daily`` summed per month."""

    __tablename__ = "trend_pattern_monthly"
    __table_args__ = _key("month", line=True)

    month: Mapped[str] = mapped_column(String(7), nullable=False)


class TrendPatternFacetMonthly(_LinePattern, _Facet, Base):
    """Everyone's line rows per month × pattern × engine × type set × line × found."""

    __tablename__ = "trend_pattern_facet_monthly"
    __table_args__ = _key("month", "engine", "types", line=True)

    month: Mapped[str] = mapped_column(String(7), nullable=False)
