"""The analysts' facet rollups: everyone's daily reading and line sums keyed also by engine and
the set of analysis types (a bit mask: life 1, love 2, career 4, health 8, head 16), so the
History engine and type filters are answered from sums instead of raw scans.

And the blind index of the interpretation texts (``reading_terms``: keyed HMACs of their
words, palm.readings.terms), so the text search runs in SQL on encrypted
texts.

Revision ID: 0014_explore_filters
Revises: 0013_webhooks

Existing readings are summed in here in SQL of its own (as 0005 does), with the type mask
computed from the stored JSON list the way the raw filter matches it (the quoted name).
Existing texts are decrypted with the installation's keys (as 0008 does: the Alembic config's
``attributes["cipher"]``, else PALM_ENCRYPTION_KEYS or the development key) and indexed, a
window of reading ids at a time; the terms are palm.readings.terms' own (an index built by
other rules would not find what the app looks up).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import MultiFernet

revision: str = "0014_explore_filters"
down_revision: str | None = "0013_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The bits of palm.readings.facets.TYPE_BITS when this migration was written (fixed here).
TYPE_BITS = {"life": 1, "love": 2, "career": 4, "health": 8, "head": 16}


def _facet_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.Column("types", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "reading_facet_daily",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hand", sa.String(length=8), nullable=False),
        sa.Column("shape", sa.String(length=16), nullable=False),
        *_facet_columns(),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "status", "hand", "shape", "engine", "types"),
    )
    op.create_table(
        "trend_facet_daily",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hand", sa.String(length=8), nullable=False),
        sa.Column("line", sa.String(length=16), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        *_facet_columns(),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_length_rel", sa.Float(), nullable=False),
        sa.Column("sum_depth", sa.Float(), nullable=False),
        sa.Column("sum_curvature", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("day", "status", "hand", "line", "found", "engine", "types"),
    )
    op.create_table(
        "reading_terms",
        sa.Column("term", sa.BigInteger(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["reading_id"], ["readings.id"], ondelete="CASCADE"),
    )
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        # Statistics of the JSON text the type filter matches with LIKE: without them the
        # planner guesses a handful of rows, and a History page with a type filter became a
        # full scan and sort (3 s at 1M readings) instead of a walk down (created_at, id)
        # (9 ms). Costs writes nothing; SQLite's planner walks the index anyway.
        op.execute(
            "CREATE STATISTICS st_readings_types ON ((analysis_types)::varchar) FROM readings"
        )
        op.execute("ANALYZE readings")
    _index_texts()
    op.create_index(
        "uq_reading_terms_term_reading", "reading_terms", ["term", "reading_id"], unique=True
    )
    op.create_index("ix_reading_terms_reading", "reading_terms", ["reading_id"])


def _cipher() -> MultiFernet:
    config = op.get_context().config
    given = config.attributes.get("cipher") if config is not None else None
    if given is None:
        from palm.infra import load_cipher
        from palm.settings import get_settings

        given = load_cipher(get_settings())
    return cast(MultiFernet, given)


def _index_texts(window: int = 20_000) -> None:
    """Terms of every existing text, into the table before its indexes exist (appending is
    what makes 15M rows minutes, not an hour): COPY on PostgreSQL, executemany on SQLite."""
    from palm.readings.terms import term, term_key, words

    connection = op.get_bind()
    last = connection.execute(sa.text("SELECT max(reading_id) FROM interpretations")).scalar()
    if not last:
        return
    cipher = _cipher()
    key, known = term_key(cipher), dict[str, int]()

    def terms_of(texts: list[str]) -> set[int]:  # each distinct word hashed once
        found = set()
        for word in (word for text in texts for word in words(text)):
            if word not in known:
                known[word] = term(key, word)
            found.add(known[word])
        return found

    query = sa.text(
        "SELECT reading_id, title, text FROM interpretations "
        "WHERE reading_id BETWEEN :low AND :high"
    )
    write = _writer(connection)
    for start in range(0, int(last), window):
        texts: dict[int, list[str]] = {}
        for reading_id, title, token in connection.execute(
            query, {"low": start + 1, "high": start + window}
        ):
            plain = cipher.decrypt(token.encode("ascii")).decode("utf-8")
            texts.setdefault(reading_id, []).extend((title, plain))
        write([(t, r) for r, items in texts.items() for t in terms_of(items)])


def _writer(connection: sa.Connection) -> Callable[[list[tuple[int, int]]], None]:
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":

        def copy(rows: list[tuple[int, int]]) -> None:
            with (
                raw.cursor() as cursor,  # type: ignore[union-attr]
                cursor.copy("COPY reading_terms (term, reading_id) FROM STDIN") as target,
            ):
                for row in rows:
                    target.write_row(row)

        return copy

    def insert(rows: list[tuple[int, int]]) -> None:
        connection.exec_driver_sql(
            "INSERT INTO reading_terms (term, reading_id) VALUES (?, ?)", rows
        )

    return insert


def _backfill() -> None:
    if op.get_bind().dialect.name == "postgresql":
        day, text = "to_char(timezone('UTC', created_at), 'YYYY-MM-DD')", "analysis_types::text"
    else:
        day, text = "strftime('%Y-%m-%d', created_at)", "CAST(analysis_types AS TEXT)"
    mask = " + ".join(
        f"CASE WHEN {text} LIKE '%\"{kind}\"%' THEN {bit} ELSE 0 END"
        for kind, bit in TYPE_BITS.items()
    )
    readings = (
        f"SELECT id, {day} AS day, status, coalesce(hand, '') AS hand, "
        "coalesce(hand_shape, '') AS shape, coalesce(engine, '') AS engine, "
        f"{mask} AS types FROM readings"
    )
    op.execute(
        "INSERT INTO reading_facet_daily (day, status, hand, shape, engine, types, n) "
        f"SELECT day, status, hand, shape, engine, types, count(*) FROM ({readings}) r "
        "GROUP BY day, status, hand, shape, engine, types"
    )
    op.execute(
        "INSERT INTO trend_facet_daily (day, status, hand, line, found, engine, types, n, "
        "sum_length_rel, sum_depth, sum_curvature) SELECT r.day, r.status, r.hand, l.line, "
        "l.found, r.engine, r.types, count(*), sum(l.length_rel), sum(l.depth), "
        f"sum(l.curvature) FROM ({readings}) r JOIN line_results l ON l.reading_id = r.id "
        "GROUP BY r.day, r.status, r.hand, l.line, l.found, r.engine, r.types"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_readings_types")
    op.drop_index("ix_reading_terms_reading", table_name="reading_terms")
    op.drop_index("uq_reading_terms_term_reading", table_name="reading_terms")
    op.drop_table("reading_terms")
    op.drop_table("trend_facet_daily")
    op.drop_table("reading_facet_daily")
