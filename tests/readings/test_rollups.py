"""Trend rollups: maintained in step with readings, and the charts they serve equal the raw
aggregates for every viewer and every filter a rollup answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from alembic import command
from cryptography.fernet import MultiFernet
from redis import Redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.explore import history, trends, trends_rollup
from palm.explore.query import ExploreFilter, Viewer
from palm.infra.storage import BlobStore
from palm.jobs import Queues
from palm.migrate import alembic_config
from palm.models import (
    ReadingDaily,
    ReadingDailyAll,
    ReadingFacetDaily,
    ReadingFacetMonthly,
    ReadingFacetPerDay,
    ReadingPatternDaily,
    ReadingPatternFacetMonthly,
    ReadingPatternMonthly,
    TrendDaily,
    TrendDailyAll,
    TrendFacetDaily,
    TrendFacetMonthly,
    TrendPatternDaily,
    TrendPatternFacetMonthly,
    TrendPatternMonthly,
)
from palm.readings import Upload, rollups, run_analysis, submit_batch
from palm.readings import store as readings
from palm.readings.operations import remove_reading
from palm.settings import Settings
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days
from tests.support.photos import LIMITS, photo

ROLLUP_FILTERS = [
    ExploreFilter(),
    ExploreFilter(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31)),
    ExploreFilter(date_from=date(2025, 4, 1)),
    ExploreFilter(hands=("left",)),
    ExploreFilter(hands=("right",), date_to=date(2025, 3, 31)),
    ExploreFilter(statuses=("done",)),
    ExploreFilter(statuses=("failed", "queued")),
    ExploreFilter(line="heart"),
    ExploreFilter(line="fate", line_found=False),
    ExploreFilter(line="heart", line_found=True, hands=("left",), statuses=("done",)),
]
#: In the analysts' facet tables (palm.readings.facets); raw for a user's own views.
FACET_FILTERS = [
    ExploreFilter(engines=("offline",)),
    ExploreFilter(analysis_types=("love",)),
    ExploreFilter(analysis_types=("life", "health")),
    ExploreFilter(engines=("offline", "llm:x"), analysis_types=("life",), line="heart"),
]
ANY_LINE = ExploreFilter(line_found=True)  # analysts: the found-pattern tables; users: raw
RAW_ONLY = [
    ExploreFilter(confidence_min=0.5),
    ExploreFilter(text="palm"),
]
ROLLUP_TABLES = (
    ReadingDaily,
    ReadingDailyAll,
    TrendDaily,
    TrendDailyAll,
    ReadingFacetDaily,
    TrendFacetDaily,
    ReadingFacetMonthly,
    TrendFacetMonthly,
    ReadingFacetPerDay,
    ReadingPatternDaily,
    ReadingPatternMonthly,
    ReadingPatternFacetMonthly,
    TrendPatternDaily,
    TrendPatternMonthly,
    TrendPatternFacetMonthly,
)


def aggregates(session: Session, viewer: Viewer, criteria: ExploreFilter, rollup: bool) -> Any:
    return (
        trends.readings_per_day(session, viewer, criteria, rollups=rollup),
        trends.line_metrics_over_time(session, viewer, criteria, "month", rollups=rollup),
        trends.line_metrics_over_time(session, viewer, criteria, "day", rollups=rollup),
        trends.hand_shapes(session, viewer, criteria, rollups=rollup),
        trends.line_presence(session, viewer, criteria, rollups=rollup),
        history.count_matching(session, viewer, criteria, rollups=rollup),
    )


def table_rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every rollup row that counts something, sums rounded (incremental sums drift in ulps)."""
    result = {}
    for model in ROLLUP_TABLES:
        rows = []
        for row in session.scalars(select(model)):
            values = {k: v for k, v in vars(row).items() if not k.startswith("_")}
            if values["n"]:
                rows.append(
                    tuple(
                        round(v, 9) if isinstance(v, float) else v
                        for _, v in sorted(values.items())
                    )
                )
        result[model.__tablename__] = sorted(rows)
    return result


@pytest.fixture
def people(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[..., int],
    tmp_path: Any,
) -> dict[str, int]:
    """Readings through the services: a completed one completed again (a retried job), one
    failed in the worker, one refused at the door, one deleted; plus synthetic history."""
    ana, ben = make_account("ana@example.com"), make_account("ben@example.com")
    batch = submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=ana,
        uploads=[
            Upload("palm.jpg", photo("palm_f_hanging.jpg")),
            Upload("other.jpg", photo("palm_m_hanging.jpg")),
            Upload("notes.txt", b"not a photo at all"),
        ],
        analysis_types=["life"],
        limits=LIMITS,
    )
    good, failing = batch.reading_ids[0], batch.reading_ids[1]
    settings = Settings(palm_data_dir=tmp_path, redis_url=None)
    for _ in range(2):  # the second run is a retry of a job whose first attempt committed
        with transaction(session_factory) as session:
            readings.mark_running(session, good)
        run_analysis(session_factory, store, redis_client, None, settings, good, lambda *_: None)
    with transaction(session_factory) as session:
        readings.mark_running(session, failing)
    with transaction(session_factory) as session:
        readings.mark_failed(session, failing, "NO_HAND", "No hand found.")
        readings.mark_failed(session, good, "LATE", "A late duplicate must not undo it.")
    with transaction(session_factory) as session:
        add_reading(session, ReadingSpec(ana, created_at=BASE_TIME - days(3)))
        fate = {"heart": LineSpec(length_rel=0.7), "fate": LineSpec(found=False)}
        add_reading(session, ReadingSpec(ana, hand="right", hand_shape="fire", lines=fate))
        add_reading(session, ReadingSpec(ana, status="failed", created_at=BASE_TIME + days(35)))
        add_reading(session, ReadingSpec(ben, hand_shape="water", created_at=BASE_TIME + days(40)))
        add_reading(session, ReadingSpec(ben, status="queued", created_at=BASE_TIME + days(41)))
        doomed = add_reading(session, ReadingSpec(ben, created_at=BASE_TIME + days(2)))
    remove_reading(session_factory, store, redis_client, ben, doomed)
    return {"ana": ana, "ben": ben}


def viewers(people: dict[str, int]) -> list[Viewer]:
    return [
        Viewer(people["ana"], Role.USER),
        Viewer(people["ben"], Role.USER),
        Viewer(people["ana"], Role.ANALYST),
    ]


def test_rollup_aggregates_equal_the_raw_ones(
    session_factory: sessionmaker[Session], people: dict[str, int]
) -> None:
    with transaction(session_factory) as session:
        for viewer in viewers(people):
            for criteria in [*ROLLUP_FILTERS, *FACET_FILTERS, ANY_LINE, *RAW_ONLY]:
                rolled = aggregates(session, viewer, criteria, rollup=True)
                assert rolled == aggregates(session, viewer, criteria, rollup=False), (
                    viewer,
                    criteria,
                )


def test_the_data_exercises_every_status_and_the_routing(
    session_factory: sessionmaker[Session], people: dict[str, int]
) -> None:
    analyst = Viewer(people["ana"], Role.ANALYST)
    with transaction(session_factory) as session:
        per_day = trends.readings_per_day(session, analyst, ExploreFilter())
        assert {row.status for row in per_day} == {"done", "failed", "queued"}
        assert history.count_matching(session, analyst, ExploreFilter()) == 7  # no door refusal
        ben = Viewer(people["ben"], Role.USER)
        assert history.count_matching(session, ben, ExploreFilter()) == 2  # one was deleted
        assert trends.hand_shapes(session, ben, ExploreFilter())[0].shape == "water"
    user = Viewer(people["ana"], Role.USER)
    assert all(trends_rollup.serves_counts(user, c) for c in ROLLUP_FILTERS)
    assert all(trends_rollup.serves_charts(user, c) for c in ROLLUP_FILTERS if not c.narrows_lines)
    assert all(trends_rollup.serves_counts(analyst, c) for c in FACET_FILTERS)
    assert not any(trends_rollup.serves_counts(user, c) for c in FACET_FILTERS)
    assert not any(trends_rollup.serves_counts(analyst, c) for c in RAW_ONLY)
    assert trends_rollup.serves_counts(analyst, ANY_LINE)
    assert not trends_rollup.serves_counts(user, ANY_LINE)


def test_a_retried_completion_counts_the_reading_once(
    session_factory: sessionmaker[Session], people: dict[str, int]
) -> None:
    ana = Viewer(people["ana"], Role.USER)
    with transaction(session_factory) as session:
        done_today = [
            row
            for row in trends.readings_per_day(session, ana, ExploreFilter(statuses=("done",)))
            if row.day > "2025-12-31"
        ]
        presence = trends.line_presence(session, ana, ExploreFilter(date_from=date(2026, 1, 1)))
    assert [row.count for row in done_today] == [1]
    assert presence and all(row.count == 1 for row in presence)


@pytest.mark.usefixtures("people")
def test_rebuild_gives_the_incrementally_maintained_tables(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        incremental = table_rows(session)
        rollups.rebuild(session)
    with transaction(session_factory) as session:
        rebuilt = table_rows(session)
    assert rebuilt == incremental
    assert all(rebuilt.values())


@pytest.mark.usefixtures("people")
def test_the_migration_sums_existing_readings(
    session_factory: sessionmaker[Session], engine: Engine, db_url: str, cipher: MultiFernet
) -> None:
    with transaction(session_factory) as session:
        incremental = table_rows(session)
    engine.dispose()
    command.downgrade(alembic_config(db_url, cipher), "0004")
    command.upgrade(alembic_config(db_url, cipher), "head")
    with transaction(session_factory) as session:
        assert table_rows(session) == incremental


@pytest.mark.usefixtures("people")
def test_a_bucket_counted_down_to_zero_is_removed_not_left_with_rounding_dust(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        empty = {
            model.__tablename__: session.scalars(select(model).where(model.n <= 0)).all()
            for model in ROLLUP_TABLES
        }
        kept = {
            model.__tablename__: session.scalars(select(model)).all() for model in ROLLUP_TABLES
        }
    assert empty == {name: [] for name in empty}  # queued → running → done, and the deleted one
    assert all(kept.values())
