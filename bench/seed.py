"""Fill a database with N synthetic readings over 1,000 users and two years, fast.

    .venv/bin/python bench/seed.py 1000000                # DATABASE_URL, else a temp SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/palm_bench .venv/bin/python bench/seed.py N

Each finished reading gets six line results and one or two interpretations (so a million
readings is ~6M line rows, ~1.5M interpretations) and the blind-index terms of its texts. One
"heavy" user (the first) gets --heavy readings, the rest are spread over the other users; ids
follow the times within one run, as in the app. Rows go in through the driver in bulk:
multi-row executemany in large transactions on SQLite, COPY on PostgreSQL. Then the trend
rollups are recomputed from all rows (palm.readings.rollups.rebuild), and each reading's line
summary (palm.readings.line_stats.refresh_all).
Prints the URL it filled, so bench/explore.py can use it. Sealed columns (filename, summary,
polylines, texts) are written as Fernet tokens under the configured keys (PALM_ENCRYPTION_KEYS,
else the development key in PALM_DATA_DIR), as the app writes them; bench/explore.py reads them
with the same keys.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import MultiFernet
from sqlalchemy.engine import make_url

from palm.infra import load_cipher
from palm.migrate import upgrade_to_head
from palm.readings.terms import term, term_key, words
from palm.settings import get_settings

USERS = 1000
START = datetime(2024, 12, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600
LINES = ("heart", "head", "life", "fate", "sun", "mercury")
TYPES = ("life", "love", "career", "health", "head")
SHAPES = ("earth", "air", "fire", "water")
WORDS = [
    *("steady", "ambition", "curiosity", "warmth", "patience", "travel", "change", "courage"),
    *("harmony", "focus", "calm", "generous", "restless", "loyal", "creative", "practical"),
    *("dreamer", "bold", "gentle"),
]
BATCH = 20_000
ROLLUP_TABLES = (
    *("reading_daily", "reading_daily_all", "trend_daily", "trend_daily_all"),
    *("reading_facet_daily", "trend_facet_daily"),
)
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$YmVuY2hzYWx0$" + "A" * 43  # logs nobody in
Row = tuple[Any, ...]


def stamp(seconds: int) -> datetime:
    # whole minutes: plenty of timestamp ties for keyset pagination to get right
    return START + timedelta(seconds=seconds - seconds % 60)


def reading_rows(n: int, heavy: int, first_id: int, rng: random.Random) -> Iterator[list[Row]]:
    """Batches of (reading, lines, interpretations) rows with explicit ids. The ids follow the
    times, as the app writes them (a reading's row is inserted when it is submitted), so the
    tables' physical order is the date order the History pages and exports walk; the heavy
    user's readings are spread over the two years like everyone's."""
    times = sorted(rng.randrange(SPAN_SECONDS) for _ in range(n))
    heavy_ones = set(rng.sample(range(n), heavy))
    batch: list[Row] = []
    for offset in range(n):
        reading_id = first_id + offset
        user_id = 1 if offset in heavy_ones else 2 + rng.randrange(USERS - 1)
        created = stamp(times[offset])
        roll = rng.random()
        status = "done" if roll < 0.95 else "failed"  # history: nothing still in flight
        batch.append((reading_id, user_id, created, status, rng))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def sealer(cipher: MultiFernet) -> Callable[[str | None], str | None]:
    """What the sealed column types store for a value (palm.models.SealedText/SealedJSON)."""

    def seal(plain: str | None) -> str | None:
        return None if plain is None else cipher.encrypt(plain.encode()).decode("ascii")

    return seal


def indexer(cipher: MultiFernet) -> Callable[[list[str]], list[int]]:
    """The reading's blind-index terms (palm.readings.terms), each word hashed once."""
    key, known = term_key(cipher), {}

    def index(texts: list[str]) -> list[int]:
        found = set()
        for text in texts:
            for word in words(text):
                if word not in known:
                    known[word] = term(key, word)
                found.add(known[word])
        return sorted(found)

    return index


def expand(
    batch: list[Row],
    seal: Callable[[str | None], str | None],
    terms_of: Callable[[list[str]], list[int]],
) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
    readings, lines, texts = [], [], []
    terms: list[Row] = []
    for reading_id, user_id, created, status, rng in batch:
        done = status == "done"
        hand = rng.choice(("left", "right")) if done else None
        types = rng.sample(TYPES, rng.choice((1, 2)))
        engine = ("offline" if rng.random() < 0.9 else "llm:gpt-4o-mini") if done else None
        readings.append(
            (
                reading_id,
                user_id,
                "seed",
                seal(f"palm-{reading_id}.jpg"),
                "auto",
                hand,
                json.dumps(types),
                status,
                engine,
                created,
                created,
                None if done else "NO_HAND",
                None,
                seal(f"{hand} hand" if done else None),
                rng.choice(SHAPES) if done else None,
                "vision-1.0" if done else None,
            )
        )
        if not done:
            continue
        drift = (created - START).total_seconds() / SPAN_SECONDS
        for index, line in enumerate(LINES):
            found = index < 3 or rng.random() < 0.55
            lines.append(
                (
                    reading_id,
                    line,
                    found,
                    seal("[]"),
                    round(0.5 + 0.1 * index + 0.2 * drift + rng.gauss(0, 0.05), 3),
                    round(rng.uniform(0.2, 0.7), 3),
                    round(rng.uniform(0.02, 0.3), 3),
                    rng.randrange(3),
                    rng.randrange(3),
                    "",
                    "",
                    round(rng.uniform(0.35, 0.95) if found else rng.uniform(0, 0.3), 3),
                )
            )
        plain: list[str] = []
        for kind in types:
            text = f"Your {kind} reading: {' '.join(rng.choices(WORDS, k=12))}."
            plain.extend((kind.title(), text))
            texts.append(
                (
                    reading_id,
                    kind,
                    kind.title(),
                    seal(text),
                    seal("{}"),
                    0.7,
                    engine,
                    "t1",
                )
            )
        terms.extend((value, reading_id) for value in terms_of(plain))
    return readings, lines, texts, terms


READING_COLUMNS = (
    "id, user_id, batch_id, filename, hand_requested, hand, analysis_types, status, engine, "
    "created_at, finished_at, error_code, error_message, summary, hand_shape, vision_version"
)
LINE_COLUMNS = (
    "reading_id, line, found, polyline, length_rel, depth, curvature, breaks, branches, "
    "start_zone, end_zone, confidence"
)
TEXT_COLUMNS = "reading_id, analysis_type, title, text, per_line, confidence, engine, version"


def sqlite_writer(path: str) -> tuple[Callable[[str, str, list[Row]], None], Callable[[], None]]:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")

    def fmt(value: Any) -> Any:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value

    def write(table: str, columns: str, rows: list[Row]) -> None:
        marks = ", ".join("?" * (columns.count(",") + 1))
        connection.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            ([fmt(v) for v in row] for row in rows),
        )

    def finish() -> None:
        connection.commit()
        connection.execute("ANALYZE")
        connection.close()

    return write, finish


def postgres_writer(url: str) -> tuple[Callable[[str, str, list[Row]], None], Callable[[], None]]:
    import psycopg

    connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

    def write(table: str, columns: str, rows: list[Row]) -> None:
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish() -> None:
        for table in ("readings", "line_results", "interpretations", "users"):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
        connection.close()

    return write, finish


def existing_max(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    from palm.db import normalise_url

    engine = create_engine(normalise_url(url))
    with engine.connect() as connection:
        value = connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar()
    engine.dispose()
    return int(value or 0)


def seed(url: str, n: int, heavy: int, rng_seed: int = 7) -> None:
    upgrade_to_head(url)
    users_first = existing_max(url, "users") == 0
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    write, finish = (
        sqlite_writer(str(make_url(url).database)) if is_sqlite else postgres_writer(url)
    )
    if users_first:
        now = datetime.now(UTC)
        people = [
            (
                i,
                f"user{i}@bench.example",
                FAKE_HASH,
                "analyst" if i == USERS + 1 else "user",
                now,
                None,
            )
            for i in range(1, USERS + 2)
        ]
        write("users", "id, email, password_hash, role, created_at, last_login_at", people)
    rng = random.Random(rng_seed)
    cipher = load_cipher(get_settings())
    seal, index = sealer(cipher), indexer(cipher)
    started, done = time.perf_counter(), 0
    for batch in reading_rows(n, heavy, existing_max(url, "readings") + 1, rng):
        readings, lines, texts, terms = expand(batch, seal, index)
        write("readings", READING_COLUMNS, readings)
        write("line_results", LINE_COLUMNS, lines)
        write("interpretations", TEXT_COLUMNS, texts)
        write("reading_terms", "term, reading_id", terms)
        done += len(batch)
        if done % 200_000 < BATCH:
            print(
                f"  {done:,} readings ({done / (time.perf_counter() - started):,.0f}/s)", flush=True
            )
    finish()
    elapsed = time.perf_counter() - started
    print(f"seeded {n:,} readings in {elapsed:.1f} s ({n / elapsed:,.0f} readings/s) into {url}")
    build_rollups(url)


def build_rollups(url: str) -> None:
    """The trend rollups, recomputed from every reading with INSERT … SELECT … GROUP BY, and
    each reading's line summary (lines_found, mean_confidence) from its line rows."""
    from sqlalchemy import text

    from palm.db import make_engine, make_session_factory, transaction
    from palm.readings.line_stats import refresh_all
    from palm.readings.rollups import rebuild

    started = time.perf_counter()
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        rebuild(session)
        refresh_all(session)
    analyze = "ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ROLLUP_TABLES:
            connection.execute(text(f"{analyze} {table}"))
    engine.dispose()
    print(f"rollups rebuilt in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="readings to add")
    parser.add_argument("--heavy", type=int, default=10_000, help="readings of user 1")
    args = parser.parse_args()
    url = (
        os.environ.get("DATABASE_URL")
        or f"sqlite:///{tempfile.mkdtemp(prefix='palm-seed-')}/bench.db"
    )
    seed(url, args.n, min(args.heavy, args.n))


if __name__ == "__main__":
    main()
