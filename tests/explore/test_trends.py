"""Chart aggregates: computed in SQL, scoped like the list, same filter as the table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from palm.explore import trends
from palm.explore.query import ExploreFilter, Viewer
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days


@pytest.fixture
def data(session: Session, make_account) -> dict[str, int]:
    ana, ben = make_account("ana@example.com"), make_account("ben@example.com")
    late = datetime(2025, 3, 1, 23, 59, 59, tzinfo=UTC)  # still 1 March in UTC
    add_reading(
        session, ReadingSpec(ana, created_at=late, lines={"heart": LineSpec(length_rel=0.6)})
    )
    add_reading(
        session,
        ReadingSpec(ana, lines={"heart": LineSpec(length_rel=1.0), "fate": LineSpec(found=False)}),
    )
    add_reading(
        session,
        ReadingSpec(ana, hand="right", hand_shape="fire", created_at=BASE_TIME + days(31)),
    )
    add_reading(session, ReadingSpec(ana, status="failed", created_at=BASE_TIME + days(31)))
    add_reading(session, ReadingSpec(ben, hand_shape="water", created_at=BASE_TIME - days(1)))
    return {"ana": ana, "ben": ben}


def test_readings_per_day_group_by_utc_day_and_status(
    session: Session, data: dict[str, int]
) -> None:
    rows = trends.readings_per_day(session, Viewer(data["ana"], Role.USER), ExploreFilter())
    assert [(r.day, r.status, r.count) for r in rows] == [
        ("2025-03-01", "done", 2),
        ("2025-04-01", "done", 1),
        ("2025-04-01", "failed", 1),
    ]


def test_line_metrics_average_found_lines_per_period_and_hand(
    session: Session, data: dict[str, int]
) -> None:
    ana = Viewer(data["ana"], Role.USER)
    points = trends.line_metrics_over_time(session, ana, ExploreFilter(), "month")
    march_heart = [p for p in points if p.bucket == "2025-03" and p.line == "heart"]
    assert len(march_heart) == 1 and march_heart[0].length_rel == pytest.approx(0.8)
    assert march_heart[0].count == 2 and march_heart[0].hand == "left"
    assert not [p for p in points if p.line == "fate"]  # never found: nothing to average
    assert {(p.bucket, p.hand) for p in points} == {("2025-03", "left"), ("2025-04", "right")}
    daily = trends.line_metrics_over_time(session, ana, ExploreFilter(hands=("right",)), "day")
    assert {p.bucket for p in daily} == {"2025-04-01"}


def test_shapes_and_presence_follow_scope(session: Session, data: dict[str, int]) -> None:
    ana = Viewer(data["ana"], Role.USER)
    shapes = trends.hand_shapes(session, ana, ExploreFilter())
    assert [(s.hand, s.shape, s.count) for s in shapes] == [
        ("left", "earth", 2),
        ("right", "fire", 1),
    ]
    everyone = trends.hand_shapes(session, Viewer(data["ben"], Role.ANALYST), ExploreFilter())
    assert ("left", "water", 1) in [(s.hand, s.shape, s.count) for s in everyone]
    presence = {
        (p.line, p.found): p.count for p in trends.line_presence(session, ana, ExploreFilter())
    }
    assert presence[("fate", False)] == 1 and presence[("heart", True)] == 3
    assert presence[("head", True)] == 1  # only the right-hand reading has default lines
    ben = trends.line_presence(session, Viewer(data["ben"], Role.USER), ExploreFilter())
    assert sum(p.count for p in ben) == 3


def test_engines_in_use_lists_the_viewers_engines(session: Session, data: dict[str, int]) -> None:
    assert trends.engines_in_use(session, Viewer(data["ana"], Role.USER)) == ["offline"]


def test_a_line_filter_narrows_the_line_aggregates_too(
    session: Session, data: dict[str, int]
) -> None:
    ana = Viewer(data["ana"], Role.USER)
    only_fate = ExploreFilter(line="fate", line_found=False)
    presence = trends.line_presence(session, ana, only_fate)
    assert {(p.line, p.found): p.count for p in presence} == {
        ("heart", True): 1,
        ("fate", False): 1,
    }
    points = trends.line_metrics_over_time(session, ana, only_fate, "month")
    assert [(p.line, p.length_rel) for p in points] == [("heart", 1.0)]
