"""Trend rollups: daily sums of readings and line metrics, kept in step with the source rows.

One row per UTC day and group; the charts sum rows (month buckets are sums over days). Each
table has a per-user twin (users' own views) and a global one (analysts' views). Absent values
(a queued reading's hand, a failed one's shape) are stored as ``''`` so they can be keys.
Maintained by ``palm.readings.rollups`` only, in the transaction that changes the source rows.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base


class _ReadingGroup:
    """Key and count shared by the per-user and global reading rollups."""

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hand: Mapped[str] = mapped_column(String(8), primary_key=True)
    shape: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class _LineGroup:
    """Key, count and metric sums shared by the per-user and global line rollups."""

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hand: Mapped[str] = mapped_column(String(8), primary_key=True)
    line: Mapped[str] = mapped_column(String(16), primary_key=True)
    found: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    sum_length_rel: Mapped[float] = mapped_column(Float, default=0.0)
    sum_depth: Mapped[float] = mapped_column(Float, default=0.0)
    sum_curvature: Mapped[float] = mapped_column(Float, default=0.0)


class ReadingDaily(_ReadingGroup, Base):
    """Readings of one user per day × status × hand × hand shape."""

    __tablename__ = "reading_daily"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ReadingDailyAll(_ReadingGroup, Base):
    """Readings of everyone per day × status × hand × hand shape."""

    __tablename__ = "reading_daily_all"


class TrendDaily(_LineGroup, Base):
    """Line rows of one user's readings per day × status × hand × line × found, with the sums
    the metric means need."""

    __tablename__ = "trend_daily"
    __table_args__ = (
        # Covering: a user's rows are spread over the heap (written as readings arrive), so
        # the charts read them from this index alone (index-only scans on PostgreSQL).
        Index(
            "ix_trend_daily_user_cover",
            "user_id",
            "day",
            "status",
            "hand",
            "line",
            "found",
            "n",
            "sum_length_rel",
            "sum_depth",
            "sum_curvature",
        ),
    )

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class TrendDailyAll(_LineGroup, Base):
    """Line rows of everyone's readings per day × status × hand × line × found, with sums."""

    __tablename__ = "trend_daily_all"


class ReadingFacetDaily(_ReadingGroup, Base):
    """Everyone's readings per day × status × hand × shape × engine × set of analysis types
    (a bit mask, ``palm.readings.facets``): the analysts' engine and type filters. Global only:
    a user's own views are small enough for the raw queries."""

    __tablename__ = "reading_facet_daily"

    engine: Mapped[str] = mapped_column(String(64), primary_key=True)
    types: Mapped[int] = mapped_column(Integer, primary_key=True)


class TrendFacetDaily(_LineGroup, Base):
    """Everyone's line rows per day × status × hand × engine × type set × line × found, with
    the metric sums (the line charts and line counts under an engine or type filter)."""

    __tablename__ = "trend_facet_daily"
    __table_args__ = (
        # Readings per day with a chosen line under an engine or type filter read one line's
        # rows from here alone (a sixth of the table) instead of every line's.
        Index(
            "ix_trend_facet_daily_line",
            "line",
            "found",
            "day",
            "status",
            "hand",
            "engine",
            "types",
            "n",
        ),
    )

    engine: Mapped[str] = mapped_column(String(64), primary_key=True)
    types: Mapped[int] = mapped_column(Integer, primary_key=True)


class ReadingFacetMonthly(Base):
    """``reading_facet_daily`` summed per month (``YYYY-MM``): a chart or count with an engine
    or type filter sums a month's rows instead of thirty days' (the date range's whole
    months from here, its partial edge months from the daily table)."""

    __tablename__ = "reading_facet_monthly"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hand: Mapped[str] = mapped_column(String(8), primary_key=True)
    shape: Mapped[str] = mapped_column(String(16), primary_key=True)
    engine: Mapped[str] = mapped_column(String(64), primary_key=True)
    types: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class TrendFacetMonthly(Base):
    """``trend_facet_daily`` summed per month, for the same reason."""

    __tablename__ = "trend_facet_monthly"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hand: Mapped[str] = mapped_column(String(8), primary_key=True)
    line: Mapped[str] = mapped_column(String(16), primary_key=True)
    found: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    engine: Mapped[str] = mapped_column(String(64), primary_key=True)
    types: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    sum_length_rel: Mapped[float] = mapped_column(Float, default=0.0)
    sum_depth: Mapped[float] = mapped_column(Float, default=0.0)
    sum_curvature: Mapped[float] = mapped_column(Float, default=0.0)


class ReadingFacetPerDay(Base):
    """``reading_facet_daily`` without the hand shape: the readings-per-day chart under an
    engine or type filter sums these (a fifth of the rows: the shape is the key it does not
    need)."""

    __tablename__ = "reading_facet_per_day"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hand: Mapped[str] = mapped_column(String(8), primary_key=True)
    engine: Mapped[str] = mapped_column(String(64), primary_key=True)
    types: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
