"""A date range cut at month boundaries: whole months for the monthly facet tables, the
partial months' days for the daily ones, nothing counted twice or left out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from palm.explore.month_span import MonthSpan, month_span


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (None, None, MonthSpan((None, None), ())),
        (date(2025, 3, 1), date(2025, 4, 30), MonthSpan(("2025-03", "2025-04"), ())),
        (
            date(2025, 3, 10),
            date(2025, 5, 20),
            MonthSpan(
                ("2025-04", "2025-04"), (("2025-03-10", "2025-03-31"), ("2025-05-01", "2025-05-20"))
            ),
        ),
        (date(2025, 3, 10), None, MonthSpan(("2025-04", None), (("2025-03-10", "2025-03-31"),))),
        (None, date(2024, 2, 28), MonthSpan((None, "2024-01"), (("2024-02-01", "2024-02-28"),))),
        (None, date(2024, 2, 29), MonthSpan((None, "2024-02"), ())),  # a leap year's last day
        (date(2025, 3, 10), date(2025, 4, 20), MonthSpan(None, (("2025-03-10", "2025-04-20"),))),
        (date(2025, 4, 5), date(2025, 4, 9), MonthSpan(None, (("2025-04-05", "2025-04-09"),))),
        (date(2025, 4, 9), date(2025, 4, 5), MonthSpan(None, (("2025-04-09", "2025-04-05"),))),
    ],
)
def test_a_range_is_its_whole_months_and_the_days_around_them(
    date_from: date | None, date_to: date | None, expected: MonthSpan
) -> None:
    assert month_span(date_from, date_to) == expected


def _days(span: MonthSpan, within: tuple[date, date]) -> list[date]:
    """Every day of ``within`` the span covers, by months or by days (a day twice: twice)."""
    covered, day = [], within[0]
    while day <= within[1]:
        iso, month = day.isoformat(), day.strftime("%Y-%m")
        if span.months is not None:
            low, high = span.months
            covered += [day] if (low or "") <= month <= (high or "9999") else []
        covered += [day for low, high in span.days if low <= iso <= high]
        day += timedelta(days=1)
    return covered


def test_every_day_of_any_range_is_covered_exactly_once() -> None:
    start = date(2023, 12, 25)
    window = (start - timedelta(days=40), start + timedelta(days=900))
    for offset in range(0, 420, 7):
        for length in (0, 1, 5, 27, 31, 45, 70, 400):
            low = start + timedelta(days=offset)
            high = low + timedelta(days=length)
            inside = _days(month_span(low, high), window)
            assert inside == [low + timedelta(days=n) for n in range(length + 1)], (low, high)
