"""A reading's found-pattern and the line filter as a condition on it: for every pattern a
reading can have (each line absent, found or not found) and every form of line filter, the
SQL condition on the masks passes exactly the readings the raw filter's EXISTS would."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from palm.readings import pattern_passes
from palm.readings.patterns import LINE_BITS, pattern_of
from palm.vocabulary import LINE_NAMES

FILTERS = [
    *((line, found) for line in LINE_NAMES for found in (None, True, False)),
    (None, True),
    (None, False),
]


def every_reading() -> list[dict[str, bool]]:
    """Each line absent, found or not found: all 3⁶ readings."""
    states = itertools.product((None, True, False), repeat=len(LINE_NAMES))
    return [
        {line: found for line, found in zip(LINE_NAMES, state, strict=True) if found is not None}
        for state in states
    ]


def raw_passes(reading: dict[str, bool], line: str | None, found: bool | None) -> bool:
    """The raw filter: some line of the reading (the chosen one, or any) with that found-ness."""
    return any(
        (line is None or name == line) and (found is None or is_found is found)
        for name, is_found in reading.items()
    )


def test_the_masks_name_each_line_once_and_its_found_ness() -> None:
    assert pattern_of([("heart", True), ("fate", False), ("sun", True)]) == (1 | 8 | 16, 1 | 16)
    assert pattern_of([]) == (0, 0)
    assert sorted(LINE_BITS.values()) == [1 << i for i in range(len(LINE_NAMES))]


@pytest.mark.parametrize(("line", "found"), FILTERS)
def test_the_condition_on_the_masks_passes_what_the_raw_filter_passes(
    line: str | None, found: bool | None
) -> None:
    readings = every_reading()
    table = Table(
        "patterns",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("line_mask", Integer),
        Column("found_mask", Integer),
    )
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    rows = []
    for index, reading in enumerate(readings):
        has, found_mask = pattern_of(reading.items())
        rows.append({"id": index, "line_mask": has, "found_mask": found_mask})
    with engine.begin() as connection:
        connection.execute(insert(table), rows)
        query = select(table.c.id).where(*pattern_passes(line, found)(table.c))
        passed = set(connection.scalars(query))
    expected = {i for i, reading in enumerate(readings) if raw_passes(reading, line, found)}
    assert passed == expected
    assert 0 < len(expected) < len(readings)  # each filter passes some and not all
