"""Comparison: canonical frame alignment, mirrored hands, diffs, narrative, access rules."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy.orm import Session

from palm.explore import compare, compare_report, shares
from palm.explore.query import Viewer
from palm.readings.store import ReadingNotFoundError
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days


@pytest.fixture
def ana(make_account) -> int:
    return int(make_account("ana@example.com"))


@pytest.fixture
def ben(make_account) -> int:
    return int(make_account("ben@example.com"))


def user(user_id: int) -> Viewer:
    return Viewer(user_id, Role.USER, b"s")


def test_two_readings_of_the_same_hand_have_near_zero_diffs(session: Session, ana: int) -> None:
    first = add_reading(session, ReadingSpec(ana))
    second = add_reading(session, ReadingSpec(ana, created_at=BASE_TIME + days(30)))
    result = compare_report.compare_readings(session, user(ana), [first, second])
    assert all(d.deltas[1] == pytest.approx(0.0) for d in result.diffs)
    assert all(s.shifts[1] is not None and s.shifts[1] < 0.01 for s in result.shifts)
    assert "Steady: the heart, head, life lines." in result.narrative[0]
    assert result.compatibility is None


def test_left_and_right_land_in_the_same_canonical_place(session: Session, ana: int) -> None:
    left = add_reading(session, ReadingSpec(ana, hand="left"))
    right = add_reading(session, ReadingSpec(ana, hand="right", created_at=BASE_TIME + days(1)))
    items = compare.load_items(session, user(ana), [left, right])
    for line in ("heart", "head", "life"):
        a, b = items[0].lines[line].points, items[1].lines[line].points
        assert a and np.allclose(a, b, atol=0.01)
    heart = items[0].lines["heart"].points  # thumb left: the heart line ends towards x=0
    assert heart[0][0] > heart[-1][0] and -0.1 < heart[-1][0] < 0.2
    assert all(s.shifts[1] is not None and s.shifts[1] < 0.01 for s in compare.shape_shifts(items))
    summary = compare_report.compare_readings(session, user(ana), [left, right])
    assert "left hand" in summary.narrative[0] and "right" in summary.narrative[0]


def test_a_shifted_line_is_measured_in_palm_widths(session: Session, ana: int) -> None:
    first = add_reading(session, ReadingSpec(ana))
    moved = add_reading(session, ReadingSpec(ana, shift=0.1, created_at=BASE_TIME + days(1)))
    shifts = compare.shape_shifts(compare.load_items(session, user(ana), [first, moved]))
    assert all(s.shifts[1] == pytest.approx(0.1, abs=0.03) for s in shifts)


def test_growth_fading_and_appearing_are_narrated(session: Session, ana: int) -> None:
    before = add_reading(
        session,
        ReadingSpec(
            ana,
            lines={
                "heart": LineSpec(length_rel=0.6),
                "head": LineSpec(),
                "fate": LineSpec(found=False),
            },
        ),
    )
    after = add_reading(
        session,
        ReadingSpec(
            ana,
            created_at=BASE_TIME + days(60),
            lines={
                "heart": LineSpec(length_rel=0.9),
                "head": LineSpec(found=False),
                "fate": LineSpec(),
            },
        ),
    )
    result = compare_report.compare_readings(session, user(ana), [before, after])
    text = result.narrative[0]
    assert "The heart line grew longer (+0.30)." in text
    assert "The head line faded from view." in text
    assert "The fate line appeared." in text
    length = next(d for d in result.diffs if d.line == "heart" and d.metric == "length_rel")
    assert length.values == [0.6, 0.9] and length.deltas[1] == pytest.approx(0.3)
    head = next(d for d in result.diffs if d.line == "head" and d.metric == "depth")
    assert head.values[1] is None and head.deltas[1] is None


def test_shared_reading_compares_for_compatibility_until_revoked(
    session: Session, ana: int, ben: int
) -> None:
    mine = add_reading(session, ReadingSpec(ana))
    theirs = add_reading(session, ReadingSpec(ben, hand="right"))
    with pytest.raises(ReadingNotFoundError):
        compare_report.compare_readings(session, user(ana), [mine, theirs])
    share = shares.share_reading(session, ben, theirs, "ana@example.com")
    assert share is not None
    result = compare_report.compare_readings(session, user(ana), [mine, theirs])
    assert result.compatibility == 100  # identical metrics
    assert result.items[1].owner == "ben@example.com" and result.items[0].owner == "you"
    assert "Compatibility 100/100" in result.narrative[-1]
    shares.revoke_share(session, ben, share.id)
    with pytest.raises(ReadingNotFoundError):
        compare_report.compare_readings(session, user(ana), [mine, theirs])


def test_count_status_and_analyst_access(
    session: Session, ana: int, ben: int, make_account
) -> None:
    analyst = Viewer(make_account("ada@example.com", Role.ANALYST), Role.ANALYST, b"s")
    one = add_reading(session, ReadingSpec(ana))
    queued = add_reading(session, ReadingSpec(ana, status="queued"))
    theirs = add_reading(session, ReadingSpec(ben))
    with pytest.raises(compare.CompareError, match="two and four"):
        compare.load_items(session, user(ana), [one, one])
    with pytest.raises(compare.CompareError, match="finished"):
        compare.load_items(session, user(ana), [one, queued])
    items = compare.load_items(session, analyst, [one, theirs])
    assert all(item.owner.startswith("u-") for item in items)


def test_first_vs_latest_compares_one_hand_with_itself(session: Session, ana: int) -> None:
    oldest_right = add_reading(session, ReadingSpec(ana, hand="right", created_at=BASE_TIME))
    add_reading(session, ReadingSpec(ana, hand="left", created_at=BASE_TIME - days(30)))
    latest_right = add_reading(
        session, ReadingSpec(ana, hand="right", created_at=BASE_TIME + days(9))
    )
    assert compare_report.first_and_latest(session, ana) == [oldest_right, latest_right]


def test_left_against_right_is_told_as_a_difference_not_a_change(
    session: Session, ana: int
) -> None:
    left = add_reading(
        session,
        ReadingSpec(
            ana,
            hand="left",
            lines={"heart": LineSpec(length_rel=0.6), "fate": LineSpec(found=False)},
        ),
    )
    right = add_reading(
        session,
        ReadingSpec(
            ana, hand="right", lines={"heart": LineSpec(length_rel=0.9), "fate": LineSpec()}
        ),
    )
    text = compare_report.compare_readings(session, user(ana), [left, right]).narrative[0]
    assert "The heart line is longer (+0.30)." in text
    assert "The fate line shows only on this palm." in text
    assert not any(word in text for word in ("grew", "faded", "appeared", "From "))


def test_quick_picks(session: Session, ana: int, ben: int) -> None:
    assert compare_report.first_and_latest(session, ana) == []
    first = add_reading(session, ReadingSpec(ana, created_at=BASE_TIME - days(9)))
    right = add_reading(session, ReadingSpec(ana, hand="right", created_at=BASE_TIME - days(5)))
    assert compare_report.left_and_right_of_latest(session, ana) == [first, right]
    latest = add_reading(session, ReadingSpec(ana))
    add_reading(session, ReadingSpec(ana, status="failed", created_at=BASE_TIME + days(1)))
    assert compare_report.first_and_latest(session, ana) == [first, latest]
    assert compare_report.left_and_right_of_latest(session, ana) == [latest, right]
    theirs = add_reading(session, ReadingSpec(ben))
    shares.share_reading(session, ben, theirs, "ana@example.com")
    choices = compare_report.comparable_choices(session, ana)
    assert [c.reading_id for c in choices] == [latest, right, first, theirs]
    assert choices[-1].shared_by == "ben@example.com"
