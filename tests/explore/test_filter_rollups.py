"""The analysts' filters on random data: every filter the rollups (plain, facet, monthly
facet and found-pattern tables) answer gives what the raw queries give, alone and combined,
after readings are added, change status and are deleted; the incremental tables equal a
rebuild; no emptied row is left."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.explore import history, trends, trends_rollup
from palm.explore.query import ExploreFilter, Viewer
from palm.models import (
    Reading,
    ReadingFacetDaily,
    ReadingFacetMonthly,
    ReadingFacetPerDay,
    ReadingPatternDaily,
    ReadingPatternFacetMonthly,
    ReadingPatternMonthly,
    TrendFacetDaily,
    TrendFacetMonthly,
    TrendPatternDaily,
    TrendPatternFacetMonthly,
    TrendPatternMonthly,
)
from palm.readings import rollups
from palm.readings import store as readings
from palm.vocabulary import Role
from tests.explore.data import ReadingSpec, add_reading
from tests.explore.random_readings import random_readings

#: Each facet dimension alone, then mixed with the plain ones and with each other.
FACETS: list[dict[str, Any]] = [
    {"engines": ("offline",)},
    {"engines": ("llm:gpt-4o-mini", "llm:other")},
    {"engines": ("no-such-engine",)},
    {"analysis_types": ("love",)},
    {"analysis_types": ("career", "head")},
    {"analysis_types": ("not-a-type",)},
    {"engines": ("offline",), "analysis_types": ("health", "life")},
]
PLAIN: list[dict[str, Any]] = [
    {},
    {"date_from": date(2025, 3, 10), "date_to": date(2025, 4, 20)},
    # month edges: whole months come from the monthly facet tables, partial ones from days
    {"date_from": date(2025, 4, 1), "date_to": date(2025, 4, 30)},
    {"date_from": date(2025, 3, 15)},
    {"date_to": date(2025, 3, 31)},
    {"date_from": date(2025, 4, 5), "date_to": date(2025, 4, 9)},
    {"date_from": date(2025, 3, 1), "date_to": date(2025, 4, 15), "hands": ("left",)},
    {"hands": ("right",)},
    {"statuses": ("done",)},
    {"statuses": ("failed", "queued")},
    {"line": "fate"},
    {"line": "sun", "line_found": True},
    {"hands": ("left",), "date_from": date(2025, 3, 20), "line": "heart", "line_found": False},
]


@pytest.fixture
def analyst(session_factory: sessionmaker[Session], make_account: Callable[..., int]) -> Viewer:
    return random_readings(session_factory, make_account)


def aggregates(session: Session, viewer: Viewer, criteria: ExploreFilter, rollup: bool) -> Any:
    return (
        trends.readings_per_day(session, viewer, criteria, rollups=rollup),
        trends.line_metrics_over_time(session, viewer, criteria, "month", rollups=rollup),
        trends.line_metrics_over_time(session, viewer, criteria, "day", rollups=rollup),
        trends.hand_shapes(session, viewer, criteria, rollups=rollup),
        trends.line_presence(session, viewer, criteria, rollups=rollup),
        history.count_matching(session, viewer, criteria, rollups=rollup),
    )


def test_every_engine_and_type_filter_alone_and_combined_equals_the_raw_queries(
    session_factory: sessionmaker[Session], analyst: Viewer
) -> None:
    served = 0
    with transaction(session_factory) as session:
        for facet, plain in itertools.product(FACETS, PLAIN):
            criteria = ExploreFilter(**facet, **plain)
            served += trends_rollup.serves_counts(analyst, criteria)
            rolled = aggregates(session, analyst, criteria, rollup=True)
            assert rolled == aggregates(session, analyst, criteria, rollup=False), criteria
        assert history.count_matching(session, analyst, ExploreFilter(engines=("offline",)))
    assert served == len(FACETS) * len(PLAIN)  # no random check above was a raw-vs-raw one


#: Every form of line filter: one line (either found-ness, found, not found), any line.
LINE_FILTERS: list[dict[str, Any]] = [
    {"line": "fate"},
    {"line": "sun", "line_found": True},
    {"line": "heart", "line_found": False},
    {"line_found": True},
    {"line_found": False},
]
DATES: list[dict[str, Any]] = [
    {},
    {"date_from": date(2025, 4, 1), "date_to": date(2025, 4, 30)},  # one whole month
    {"date_from": date(2025, 3, 10), "date_to": date(2025, 4, 20)},  # partial months
    {"date_to": date(2025, 3, 31), "hands": ("left",), "statuses": ("done", "failed")},
]


def test_every_line_filter_on_the_charts_equals_the_raw_queries_through_the_patterns(
    session_factory: sessionmaker[Session], analyst: Viewer
) -> None:
    served, expected = 0, 0
    with transaction(session_factory) as session:
        for line, dates, facet in itertools.product(LINE_FILTERS, DATES, [{}, *FACETS[::3]]):
            criteria = ExploreFilter(**line, **dates, **facet)
            served += trends_rollup.serves_charts(analyst, criteria)
            # under an engine or type filter only whole months have pattern rows
            expected += not facet or dates.get("date_from") != date(2025, 3, 10)
            rolled = aggregates(session, analyst, criteria, rollup=True)
            assert rolled == aggregates(session, analyst, criteria, rollup=False), criteria
        assert trends.line_presence(session, analyst, ExploreFilter(line_found=False))
    assert served == expected  # the patterns answered, not the raw queries twice
    user = Viewer(analyst.user_id, Role.USER)
    assert not trends_rollup.serves_charts(user, ExploreFilter(line="fate"))
    assert not trends_rollup.serves_charts(analyst, ExploreFilter(line="fate", confidence_min=0.5))


def test_an_analysts_engine_options_are_those_of_the_remaining_readings(
    session_factory: sessionmaker[Session], analyst: Viewer
) -> None:
    with transaction(session_factory) as session:
        raw = session.scalars(select(Reading.engine).where(Reading.engine.is_not(None)))
        assert trends.engines_in_use(session, analyst) == sorted({str(e) for e in raw})


def test_a_users_own_engine_filter_runs_raw(analyst: Viewer) -> None:
    user = Viewer(analyst.user_id, Role.USER)
    assert not trends_rollup.serves_charts(user, ExploreFilter(engines=("offline",)))
    assert trends_rollup.serves_charts(analyst, ExploreFilter(engines=("offline",)))


FACET_TABLES = (
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


def facet_rows(session: Session) -> list[list[tuple[Any, ...]]]:
    tables = []
    for model in FACET_TABLES:
        rows = [
            tuple(round(v, 9) if isinstance(v, float) else v for _, v in sorted(values.items()))
            for values in (
                {k: v for k, v in vars(row).items() if not k.startswith("_")}
                for row in session.scalars(select(model))
            )
        ]
        tables.append(sorted(rows))
    return tables


@pytest.mark.usefixtures("analyst")
def test_the_facet_tables_equal_a_rebuild_and_keep_no_emptied_row(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        incremental = facet_rows(session)
        rollups.rebuild(session)
    with transaction(session_factory) as session:
        assert facet_rows(session) == incremental
        for model in FACET_TABLES:
            assert session.scalars(select(model).where(model.n <= 0)).all() == []
    assert all(incremental)


def test_every_reading_of_a_type_set_counts_once_under_any_of_its_types(
    session_factory: sessionmaker[Session], make_account: Callable[..., int]
) -> None:
    owner = make_account("solo@example.com")
    analyst = Viewer(owner, Role.ANALYST)
    with transaction(session_factory) as session:
        add_reading(session, ReadingSpec(owner, analysis_types=["life", "love", "head"]))
        add_reading(session, ReadingSpec(owner, analysis_types=["career"]))
        count = history.count_matching(
            session, analyst, ExploreFilter(analysis_types=("head", "life", "love"))
        )
    assert count == 1


def test_text_search_finds_whole_words_through_the_index_with_every_other_filter(
    session_factory: sessionmaker[Session], make_account: Callable[..., int]
) -> None:
    owner = make_account("texts@example.com")
    analyst = Viewer(owner, Role.ANALYST)
    with transaction(session_factory) as session:
        bold = add_reading(session, ReadingSpec(owner, texts={"life": "Bold, steady warmth."}))
        calm = add_reading(session, ReadingSpec(owner, hand="right", texts={"love": "Calm."}))
        deleted = add_reading(session, ReadingSpec(owner, texts={"life": "Bold again."}))
        readings.delete_reading(session, owner, deleted)

        def found(text: str, **fields: Any) -> list[int]:
            criteria = ExploreFilter(text=text, **fields)
            rows = history.history_page(session, analyst, criteria).rows
            assert history.count_matching(session, analyst, criteria) == len(rows)
            return sorted(row.id for row in rows)

        assert found("BOLD") == [bold]  # the deleted reading's terms went with it
        assert found("warmth steady") == [bold]
        assert found("life") == [bold, calm]  # titles too: both have a "Life" interpretation
        assert found("warm") == []
        assert found("calm", hands=("left",)) == []
        assert found("calm", hands=("right",)) == [calm]
        assert found("?!") == []
