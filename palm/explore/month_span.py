"""A History date range cut at month boundaries, for the monthly facet rollups: its whole
months are read from ``*_facet_monthly`` (one row per month and key) and only the days of its
partial first and last months from ``*_facet_daily``. No range at all is every month."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class MonthSpan:
    """``months``: inclusive 'YYYY-MM' bounds of the whole months (None: open on that side),
    or None when the range holds no whole month; ``days``: inclusive 'YYYY-MM-DD' ranges of
    the days outside them."""

    months: tuple[str | None, str | None] | None
    days: tuple[tuple[str, str], ...]


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def _last_day(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def month_span(date_from: date | None, date_to: date | None) -> MonthSpan:
    """The span of ``[date_from, date_to]`` (both inclusive, either may be open)."""
    first = None if date_from is None else date_from
    if first is not None and first.day != 1:
        first = _last_day(first) + timedelta(days=1)  # the first whole month starts here
    last = None if date_to is None else date_to
    if last is not None and last != _last_day(last):
        last = last.replace(day=1) - timedelta(days=1)  # the last whole month ends here
    if first is not None and last is not None and first > last:
        assert date_from is not None and date_to is not None
        return MonthSpan(None, ((date_from.isoformat(), date_to.isoformat()),))
    days = []
    if date_from is not None and first is not None and first != date_from:
        days.append((date_from.isoformat(), (first - timedelta(days=1)).isoformat()))
    if date_to is not None and last is not None and last != date_to:
        days.append(((last + timedelta(days=1)).isoformat(), date_to.isoformat()))
    whole = (None if first is None else _month(first), None if last is None else _month(last))
    return MonthSpan(whole, tuple(days))
