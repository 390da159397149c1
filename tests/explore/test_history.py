"""History list: filters, role scoping, keyset pages across timestamp ties (the exports:
test_export.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.orm import Session

from palm.explore import history
from palm.explore.query import SHOW_EMAIL_PREFERENCE, ExploreFilter, Viewer, pseudonym
from palm.models import Preference
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days

SECRET = b"test-secret"


@pytest.fixture
def people(make_account) -> dict[str, int]:
    return {
        "ana": make_account("ana@example.com"),
        "ben": make_account("ben@example.com"),
        "ada": make_account("ada@example.com", Role.ANALYST),
    }


def viewer(user_id: int, role: Role = Role.USER) -> Viewer:
    return Viewer(user_id, role, SECRET)


def all_pages(
    session: Session, who: Viewer, criteria: ExploreFilter, limit: int
) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = history.history_page(session, who, criteria, after=cursor, limit=limit)
        pages.append([row.id for row in page.rows])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def test_keyset_pages_split_timestamp_ties_without_skipping_or_repeating(
    session: Session, people: dict[str, int]
) -> None:
    # 7 readings share one timestamp, 3 more are older: page boundaries fall inside the tie.
    tied = [add_reading(session, ReadingSpec(people["ana"])) for _ in range(7)]
    older = [
        add_reading(session, ReadingSpec(people["ana"], created_at=BASE_TIME - days(i + 1)))
        for i in range(3)
    ]
    expected = sorted(tied, reverse=True) + older
    for limit in (1, 2, 3, 4, 7, 10, 11):
        pages = all_pages(session, viewer(people["ana"]), ExploreFilter(), limit)
        assert [i for page in pages for i in page] == expected, limit
        assert all(len(page) == limit for page in pages[:-1])
    exact = all_pages(session, viewer(people["ana"]), ExploreFilter(), 5)
    assert len(exact) == 2 and len(exact[-1]) == 5  # no empty trailing page


def test_user_sees_only_own_rows_analyst_sees_everyone_pseudonymised(
    session: Session, people: dict[str, int]
) -> None:
    mine = add_reading(session, ReadingSpec(people["ana"]))
    theirs = add_reading(session, ReadingSpec(people["ben"], created_at=BASE_TIME + days(1)))
    ana_rows = history.history_page(session, viewer(people["ana"]), ExploreFilter()).rows
    assert [row.id for row in ana_rows] == [mine]
    assert ana_rows[0].owner == "you" and ana_rows[0].is_own
    analyst = viewer(people["ada"], Role.ANALYST)
    rows = history.history_page(session, analyst, ExploreFilter()).rows
    assert [row.id for row in rows] == [theirs, mine]
    assert rows[0].owner == pseudonym(people["ben"], SECRET)
    assert "@" not in rows[0].owner and not rows[0].is_own
    assert history.count_matching(session, analyst, ExploreFilter()) == 2
    assert history.count_matching(session, viewer(people["ben"]), ExploreFilter()) == 1


def test_owner_who_opted_in_is_shown_by_email(session: Session, people: dict[str, int]) -> None:
    add_reading(session, ReadingSpec(people["ben"]))
    session.add(
        Preference(user_id=people["ben"], key=SHOW_EMAIL_PREFERENCE, value=json.dumps(True))
    )
    session.flush()
    rows = history.history_page(session, viewer(people["ada"], Role.ANALYST), ExploreFilter()).rows
    assert rows[0].owner == "ben@example.com"


def test_each_filter_narrows_to_the_matching_rows(session: Session, people: dict[str, int]) -> None:
    ana = people["ana"]
    left = add_reading(session, ReadingSpec(ana, created_at=BASE_TIME - days(40)))
    right = add_reading(
        session,
        ReadingSpec(
            ana,
            hand="right",
            engine="llm:gpt-4o-mini",
            analysis_types=["career"],
            texts={"career": "A bold CAREER_100% move ahead."},
            lines={
                "heart": LineSpec(found=False, confidence=0.2),
                "head": LineSpec(confidence=0.95),
            },
        ),
    )
    queued = add_reading(session, ReadingSpec(ana, status="queued", created_at=BASE_TIME + days(1)))

    def ids(**fields: object) -> list[int]:
        criteria = ExploreFilter(**fields)
        return [row.id for row in history.history_page(session, viewer(ana), criteria).rows]

    assert ids() == [queued, right, left]
    assert ids(date_from=date(2025, 2, 1), date_to=date(2025, 3, 1)) == [right]
    assert ids(date_to=BASE_TIME.date() - days(30)) == [left]
    assert ids(hands=("right",)) == [right]
    assert ids(statuses=("queued",)) == [queued]
    assert ids(engines=("llm:gpt-4o-mini",)) == [right]
    assert ids(analysis_types=("career",)) == [right]
    assert ids(analysis_types=("love", "career")) == [queued, right, left]
    assert ids(line="heart", line_found=False) == [right]
    assert ids(line="heart", line_found=True) == [left]
    assert ids(line_found=False) == [right]
    assert ids(confidence_min=0.9) == [right]
    assert ids(line="heart", confidence_max=0.5) == [right]
    assert ids(text="career_100%") == [right]  # case-insensitive, LIKE wildcards literal
    assert ids(text="CAREER_1000") == []


def test_filters_normalise_so_equal_filters_hash_alike() -> None:
    one = ExploreFilter(hands=("right", "left", "left"), text="  love   line ")
    two = ExploreFilter(hands=("left", "right"), text="love line")
    assert one == two and one.digest() == two.digest()
    assert one.digest() != ExploreFilter(hands=("left",)).digest()
    with pytest.raises(ValueError):
        ExploreFilter(line="elbow")
