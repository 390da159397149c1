"""The analysts' columnar mirror gives exactly what the raw queries give for the filters no
rollup answers (confidence ranges alone and with every other filter, line filters under an
engine or type filter over partial months), and stays exact through adds, status changes,
deletions, a rebuild and, on PostgreSQL, a transaction that commits after a later one."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import MultiFernet
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.explore import Explorer, history, mirror_reads, trends
from palm.explore import mirror as mirror_module
from palm.explore.mirror import Mirror
from palm.explore.query import ExploreFilter, Viewer
from palm.models import LineResult, Reading, ReadingChange
from palm.readings import (
    changes,
    prune_change_sequence,
    prune_changes,
    remove_all_readings,
    rollups,
    terms,
)
from palm.readings import store as readings
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days
from tests.explore.random_readings import random_readings, random_spec

CONFIDENCE: list[dict[str, Any]] = [
    {"confidence_min": 0.5},
    {"confidence_max": 0.3},
    {"confidence_min": 0.25, "confidence_max": 0.75},
    {"line": "life", "confidence_min": 0.6},
    {"line": "fate", "line_found": True, "confidence_max": 0.5},
    {"line_found": False, "confidence_min": 0.2, "confidence_max": 0.9},
]
OTHERS: list[dict[str, Any]] = [
    {},
    {"date_from": date(2025, 3, 10), "date_to": date(2025, 4, 20)},
    {"date_to": date(2025, 3, 31), "hands": ("left",), "statuses": ("done", "failed")},
    {"engines": ("offline",)},
    {"analysis_types": ("career", "head"), "statuses": ("done",)},
    {"engines": ("no-such-engine",)},
]
#: Not confidence, but no rollup answers them either: a line under an engine filter over
#: partial months.
LINE_UNDER_FACETS: list[dict[str, Any]] = [
    {"line": "sun", "line_found": True, "engines": ("offline",), "date_from": date(2025, 3, 10)},
    {"line_found": False, "analysis_types": ("love",), "date_to": date(2025, 4, 12)},
]
READS = ("count", "per_day", "metrics:month", "metrics:day", "shapes", "presence")


@pytest.fixture
def analyst(session_factory: sessionmaker[Session], make_account: Callable[..., int]) -> Viewer:
    return random_readings(session_factory, make_account)


def reads(session: Session, viewer: Viewer, criteria: ExploreFilter, mirror: Mirror | None) -> Any:
    """Every aggregate of the History page; ``mirror`` None: the raw queries."""
    return (
        history.count_matching(session, viewer, criteria, rollups=False, mirror=mirror),
        trends.readings_per_day(session, viewer, criteria, rollups=False, mirror=mirror),
        trends.line_metrics_over_time(
            session, viewer, criteria, "month", rollups=False, mirror=mirror
        ),
        trends.line_metrics_over_time(
            session, viewer, criteria, "day", rollups=False, mirror=mirror
        ),
        trends.hand_shapes(session, viewer, criteria, rollups=False, mirror=mirror),
        trends.line_presence(session, viewer, criteria, rollups=False, mirror=mirror),
    )


def loaded(factory: sessionmaker[Session]) -> Mirror:
    mirror = Mirror(factory)
    assert mirror.wait_loaded(timeout=60)
    return mirror


def assert_exact(
    factory: sessionmaker[Session], viewer: Viewer, mirror: Mirror, filters: list[ExploreFilter]
) -> None:
    before = sum(mirror.served.values())
    with transaction(factory) as session:
        for criteria in filters:
            assert reads(session, viewer, criteria, mirror) == reads(
                session, viewer, criteria, None
            ), criteria
    assert sum(mirror.served.values()) - before == len(READS) * len(filters)  # not raw twice


def every_filter() -> list[ExploreFilter]:
    combined = [ExploreFilter(**c, **o) for c, o in itertools.product(CONFIDENCE, OTHERS)]
    return [*combined, *(ExploreFilter(**f) for f in LINE_UNDER_FACETS)]


def test_every_confidence_filter_alone_and_combined_equals_the_raw_queries(
    session_factory: sessionmaker[Session], analyst: Viewer
) -> None:
    mirror = loaded(session_factory)
    assert_exact(session_factory, analyst, mirror, every_filter())
    assert set(mirror.served) == set(READS)
    with transaction(session_factory) as session:  # the filters are not all empty
        assert history.count_matching(session, analyst, ExploreFilter(confidence_min=0.5))


def test_an_engine_filter_over_all_months_has_its_days_and_line_charts_from_the_mirror(
    session_factory: sessionmaker[Session], analyst: Viewer
) -> None:
    mirror = loaded(session_factory)
    all_months = ExploreFilter(line="fate", line_found=True, engines=("offline",))
    six_months = ExploreFilter(
        line="fate",
        line_found=True,
        engines=("offline",),
        date_from=date(2025, 2, 1),
        date_to=date(2025, 7, 31),
    )
    with transaction(session_factory) as session:
        for criteria in (all_months, six_months):
            with_rollups = (
                trends.readings_per_day(session, analyst, criteria, mirror=mirror),
                trends.line_metrics_over_time(session, analyst, criteria, mirror=mirror),
                trends.hand_shapes(session, analyst, criteria, mirror=mirror),
                trends.line_presence(session, analyst, criteria, mirror=mirror),
            )
            raw = (
                trends.readings_per_day(session, analyst, criteria, rollups=False),
                trends.line_metrics_over_time(session, analyst, criteria, rollups=False),
                trends.hand_shapes(session, analyst, criteria, rollups=False),
                trends.line_presence(session, analyst, criteria, rollups=False),
            )
            assert with_rollups == raw and raw[0] and raw[1], criteria
    # the six months stay with the rollups, which are faster over a short range
    served = {"per_day": 1, "metrics:month": 1, "shapes": 1, "presence": 1}
    assert dict(mirror.served) == served


def test_adds_status_changes_and_deletions_after_the_load_are_in_the_next_answer(
    session_factory: sessionmaker[Session], analyst: Viewer, make_account: Callable[..., int]
) -> None:
    mirror = loaded(session_factory)
    rng, owner = random.Random(7), make_account("late@example.com")
    with transaction(session_factory) as session:
        added = [add_reading(session, random_spec(rng, owner)) for _ in range(15)]
        # one older than everything loaded: it arrives out of (created_at, id) order
        added.append(add_reading(session, ReadingSpec(owner, created_at=BASE_TIME - days(3))))
    with transaction(session_factory) as session:
        readings.delete_reading(session, owner, added[0])
        readings.mark_failed(session, added[1], "NO_HAND", "No hand found.")
        first = session.scalar(select(Reading).order_by(Reading.id).limit(1))
        assert first is not None
        readings.delete_reading(session, first.user_id, first.id)  # one loaded at the start
    assert_exact(session_factory, analyst, mirror, every_filter()[::5])


def test_a_rebuild_makes_it_reload_and_until_then_the_raw_query_answers(
    session_factory: sessionmaker[Session], analyst: Viewer
) -> None:
    mirror = loaded(session_factory)
    criteria = ExploreFilter(confidence_min=0.4)
    with transaction(session_factory) as session:
        rollups.rebuild(session)
    with transaction(session_factory) as session:
        assert mirror.answer(session, "count", criteria, mirror_reads.count) is None
    assert mirror.wait_loaded(timeout=60)
    assert_exact(session_factory, analyst, mirror, [criteria])


def test_a_users_own_view_is_not_the_mirrors(
    session_factory: sessionmaker[Session], analyst: Viewer
) -> None:
    mirror = Mirror(session_factory)
    assert mirror.serves(analyst)
    assert not mirror.serves(Viewer(analyst.user_id, Role.USER))
    assert not Mirror(session_factory, enabled=False).serves(analyst)


#: The random readings' texts are "A <type> reading of a <hand> palm." under a "<Type>" title.
SEARCHES = ("left", "LOVE palm", "career   right", "zebra", "!!!", "head reading of")


def text_filters() -> list[ExploreFilter]:
    others: list[dict[str, Any]] = [
        {},
        {"confidence_min": 0.5},
        {"engines": ("offline",), "statuses": ("done",)},
    ]
    return [ExploreFilter(text=t, **o) for t, o in itertools.product(SEARCHES, others)]


def pages(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    mirror: Mirror | None,
    limit: int = 7,
) -> Any:
    """Every page of the history, walked by its cursor."""
    walked, after = [], None
    while True:
        page = history.history_page(
            session, viewer, criteria, after=after, limit=limit, mirror=mirror
        )
        walked.append(page.rows)
        if (after := page.next_cursor) is None:
            return walked


def test_text_search_pages_walk_the_same_rows_as_the_blind_index(
    session_factory: sessionmaker[Session], analyst: Viewer, make_account: Callable[..., int]
) -> None:
    owner, tie = make_account("twins@example.com"), BASE_TIME + days(30)
    with transaction(session_factory) as session:  # one timestamp: the cursor cuts by id
        twins = [
            add_reading(session, ReadingSpec(owner, created_at=tie, texts={"life": "Twin."}))
            for _ in range(3)
        ]
    mirror = loaded(session_factory)
    with transaction(session_factory) as session:
        one_by_one = pages(session, analyst, ExploreFilter(text="twin"), mirror, limit=1)
        assert [[row.id for row in rows] for rows in one_by_one] == [[i] for i in twins[::-1]]
        for criteria in text_filters():
            assert pages(session, analyst, criteria, mirror) == pages(
                session, analyst, criteria, None
            ), criteria
        untexted = ExploreFilter(confidence_min=0.5)  # the index walks these in date order
        assert pages(session, analyst, untexted, mirror) == pages(session, analyst, untexted, None)
    walked = mirror.served["page"]
    assert walked >= len(text_filters()) and walked == sum(mirror.served.values())


def test_text_search_with_other_filters_equals_the_blind_index_through_changes(
    session_factory: sessionmaker[Session], analyst: Viewer, make_account: Callable[..., int]
) -> None:
    mirror = loaded(session_factory)
    assert_exact(session_factory, analyst, mirror, text_filters())
    owner = make_account("words@example.com")
    with transaction(session_factory) as session:  # newer than everything: appended in order
        later = [BASE_TIME + days(61 + i) for i in range(4)]
        fresh = [add_reading(session, ReadingSpec(owner, created_at=t)) for t in later]
        done = select(Reading.id).where(Reading.status == "done", Reading.id < fresh[0])
        loaded_one = session.scalar(done.order_by(Reading.id).limit(1))
        assert loaded_one is not None
        terms.index_reading(session, loaded_one, ["Zebra stripes"])  # its texts changed
        changes.record(session, loaded_one)  # as every store write does, via the rollups
    with transaction(session_factory) as session:
        readings.delete_reading(session, owner, fresh[0])
    assert_exact(session_factory, analyst, mirror, text_filters())
    with transaction(session_factory) as session:  # out of order: the mirror compacts
        early = ReadingSpec(owner, created_at=BASE_TIME - days(9), texts={"life": "Zebra left."})
        add_reading(session, early)
    assert_exact(session_factory, analyst, mirror, text_filters())
    with transaction(session_factory) as session:
        zebra = history.count_matching(session, analyst, ExploreFilter(text="zebra"))
    assert zebra == 2


def test_every_change_is_listed_in_its_transaction_and_pruning_drops_old_rows(
    session_factory: sessionmaker[Session], make_account: Callable[..., int]
) -> None:
    owner = make_account("log@example.com")
    with transaction(session_factory) as session:
        reading_id = add_reading(session, ReadingSpec(owner, status="queued"))
    with transaction(session_factory) as session:
        readings.mark_failed(session, reading_id, "NO_HAND", "No hand found.")
    with transaction(session_factory) as session:
        readings.delete_reading(session, owner, reading_id)
    with transaction(session_factory) as session:
        listed = session.scalars(select(ReadingChange.reading_id).order_by(ReadingChange.id))
        assert list(listed) == [reading_id] * 3
        assert prune_changes(session, BASE_TIME) == 0  # all newer than that
    now = datetime.now(UTC)
    assert prune_change_sequence(session_factory, now) == 0  # kept a day (worker maintenance)
    assert prune_change_sequence(session_factory, now + changes.KEEP + timedelta(minutes=1)) == 3
    with transaction(session_factory) as session:
        assert session.scalar(select(func.count(ReadingChange.id))) == 0


def test_a_transaction_committing_after_a_later_one_is_not_missed(
    session_factory: sessionmaker[Session], make_account: Callable[..., int], db_url: str
) -> None:
    """On PostgreSQL ids commit out of order: the slow writer's change has the lower id but
    commits after the fast one's, which the mirror has already read past."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite writers take turns: ids commit in order there")
    owner = make_account("race@example.com")
    mirror = loaded(session_factory)
    criteria = ExploreFilter(confidence_min=0.5)

    def matching_now() -> int | None:
        with transaction(session_factory) as session:
            return mirror.answer(session, "count", criteria, mirror_reads.count)

    slow = session_factory()
    try:
        add_reading(slow, ReadingSpec(owner, lines={"heart": LineSpec(confidence=0.9)}))
        slow.flush()  # its change row (and id) exists, uncommitted
        with transaction(session_factory) as fast:  # other rollup keys: no row lock to wait on
            fast.execute(text("SET LOCAL lock_timeout = '10s'"))
            later, lines = BASE_TIME + days(40), {"heart": LineSpec(confidence=0.9)}
            add_reading(fast, ReadingSpec(owner, created_at=later, hand="right", lines=lines))
        assert matching_now() == 1
        slow.commit()
    finally:
        slow.close()
    assert matching_now() == 2
    with transaction(session_factory) as session:
        session.execute(delete(ReadingChange))


def test_the_explorer_answers_from_its_mirror_once_loaded_and_raw_before(
    session_factory: sessionmaker[Session], analyst: Viewer, cipher: MultiFernet
) -> None:
    """The first read of a filter no rollup answers starts the load and is answered raw; once
    loaded, every History aggregate comes from the mirror with the same rows."""
    explorer = Explorer(session_factory, None, cipher)
    criteria = ExploreFilter(confidence_min=0.3, confidence_max=0.7, engines=("offline",))
    before = explorer.count(analyst, criteria)
    assert explorer.mirror.wait_loaded(timeout=60)
    assert sum(explorer.mirror.served.values()) == 0
    assert explorer.count(analyst, criteria) == before > 0
    with transaction(session_factory) as session:
        raw = trends.line_metrics_over_time(session, analyst, criteria, "month", rollups=False)
    assert explorer.line_metrics(analyst, criteria, "month") == raw
    assert explorer.per_day(analyst, criteria) and explorer.shapes(analyst, criteria)
    assert explorer.presence(analyst, criteria)
    assert set(explorer.mirror.served) == {
        "count",
        "metrics:month",
        "per_day",
        "shapes",
        "presence",
    }
    off = Explorer(session_factory, None, cipher, mirror=False)
    assert off.count(analyst, criteria) == before and not off.mirror.served


def test_a_deleted_accounts_reading_ids_leave_the_sequence_and_mirrors_reload(
    session_factory: sessionmaker[Session], analyst: Viewer, make_account: Callable[..., int]
) -> None:
    owner = make_account("gone@example.com")
    with transaction(session_factory) as session:
        ids = [add_reading(session, ReadingSpec(owner)) for _ in range(3)]
    mirror = loaded(session_factory)
    with transaction(session_factory) as session:
        remove_all_readings(session, owner)
    with transaction(session_factory) as session:
        listed = list(session.scalars(select(ReadingChange.reading_id)))
        assert not set(ids) & set(listed) and None in listed
        assert mirror.answer(session, "count", ExploreFilter(), mirror_reads.count) is None
    assert mirror.wait_loaded(timeout=60)
    assert_exact(session_factory, analyst, mirror, [ExploreFilter(confidence_min=0.1)])


def test_a_mirror_that_has_not_looked_for_too_long_reloads(
    session_factory: sessionmaker[Session], analyst: Viewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sequence is pruned after a day: a mirror idle past MAX_IDLE_SECONDS must not trust
    its mark any more."""
    mirror = loaded(session_factory)
    monkeypatch.setattr(mirror_module, "MAX_IDLE_SECONDS", -1.0)
    with transaction(session_factory) as session:
        assert mirror.answer(session, "count", ExploreFilter(), mirror_reads.count) is None
    monkeypatch.setattr(mirror_module, "MAX_IDLE_SECONDS", 3600.0)
    assert mirror.wait_loaded(timeout=60)
    assert_exact(session_factory, analyst, mirror, [ExploreFilter(confidence_max=0.5)])


def test_a_text_page_whose_listed_reading_was_deleted_before_its_row_was_read_goes_on(
    session_factory: sessionmaker[Session], analyst: Viewer, make_account: Callable[..., int]
) -> None:
    """The mirror lists a page's ids, then the rows are read: a reading deleted in between (here
    behind the change sequence's back, so the mirror keeps listing it) leaves its page a row
    short, and the walk still reaches every other match."""
    owner = make_account("echo@example.com")
    with transaction(session_factory) as session:
        echoes = [
            add_reading(
                session, ReadingSpec(owner, created_at=BASE_TIME + days(i), texts={"life": "Echo."})
            )
            for i in range(5)
        ]
    mirror = loaded(session_factory)
    gone = echoes[3]  # the second newest: on the first page of two
    with transaction(session_factory) as session:
        session.execute(delete(LineResult).where(LineResult.reading_id == gone))
        session.execute(delete(Reading).where(Reading.id == gone))
    with transaction(session_factory) as session:
        walked = pages(session, analyst, ExploreFilter(text="echo"), mirror, limit=2)
    assert [row.id for rows in walked for row in rows] == [i for i in echoes[::-1] if i != gone]
    assert len(walked) == 2  # the deleted reading was listed on the first page
