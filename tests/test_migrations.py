"""Alembic migrations and the models agree, and migrations go down and up again."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from cryptography.fernet import MultiFernet
from sqlalchemy import Engine, inspect, select, text

from palm.db import make_engine, make_session_factory
from palm.migrate import MigrationError, alembic_config, upgrade_to_head
from palm.models import Interpretation, LineResult, Reading


def test_models_match_the_migrated_schema(db_url: str) -> None:
    command.check(alembic_config(db_url))  # raises when autogenerate would find a difference


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    command.downgrade(alembic_config(db_url), "base")
    engine = make_engine(db_url)
    assert "users" not in inspect(engine).get_table_names()
    upgrade_to_head(db_url)
    assert {"users", "preferences", "audit_events", "jobs"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_unreachable_database_is_a_migration_error_with_the_reason() -> None:
    try:
        upgrade_to_head("postgresql://palm:secret@127.0.0.1:1/nowhere")
    except MigrationError as error:
        assert "127.0.0.1:1" in str(error)
        assert "secret" not in str(error)
    else:
        raise AssertionError("expected a MigrationError")


PLAIN_READINGS = sa.table(
    "readings",
    sa.column("id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("batch_id", sa.String()),
    sa.column("filename", sa.String()),
    sa.column("hand_requested", sa.String()),
    sa.column("analysis_types", sa.JSON()),
    sa.column("status", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("summary", sa.Text()),
    sa.column("analysis", sa.JSON()),
)
PLAIN_LINES = sa.table(
    "line_results",
    *(sa.column(name) for name in ("reading_id", "line", "found", "length_rel", "depth")),
    *(sa.column(name) for name in ("curvature", "breaks", "branches", "start_zone", "end_zone")),
    sa.column("confidence"),
    sa.column("polyline", sa.JSON()),
)
PLAIN_TEXTS = sa.table(
    "interpretations",
    *(sa.column(name) for name in ("reading_id", "analysis_type", "title", "text", "confidence")),
    sa.column("engine"),
    sa.column("version"),
    sa.column("per_line", sa.JSON()),
)
ANALYSIS = {"landmarks": [[412.5, 903.25]] * 21, "lines": {"heart": {"points": [[1, 2]]}}}


def write_plain_rows(engine: Engine) -> None:
    """A finished and a queued reading as schema 0006 stored them: in clear."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, role, created_at) "
                "VALUES (1, 'ana@example.com', 'x', 'user', :now)"
            ),
            {"now": now},
        )
        common = {"user_id": 1, "batch_id": "b", "hand_requested": "auto", "created_at": now}
        connection.execute(
            PLAIN_READINGS.insert(),
            [
                {
                    **common,
                    "id": 1,
                    "filename": "ana-lopez-left.jpg",
                    "analysis_types": ["love"],
                    "status": "done",
                    "summary": "Left hand, water shape; lines: heart.",
                    "analysis": ANALYSIS,
                },
                {**common, "id": 2, "filename": "queued.jpg", "analysis_types": ["life"]}
                | {"status": "queued", "summary": None, "analysis": None},
            ],
        )
        connection.execute(
            PLAIN_LINES.insert(),
            {
                "reading_id": 1,
                "line": "heart",
                "found": True,
                "length_rel": 0.8,
                "depth": 0.4,
                "curvature": 0.1,
                "breaks": 0,
                "branches": 1,
                "start_zone": "",
                "end_zone": "",
                "confidence": 0.9,
                "polyline": [[101, 202], [303, 404]],
            },
        )
        connection.execute(
            PLAIN_TEXTS.insert(),
            {
                "reading_id": 1,
                "analysis_type": "love",
                "title": "Love",
                "text": "A warm and loyal heart.",
                "confidence": 0.9,
                "engine": "offline",
                "version": "1",
                "per_line": {"heart": "Long and curved."},
            },
        )


def stored_values(engine: Engine) -> list[str]:
    queries = (
        "SELECT filename, summary, analysis FROM readings ORDER BY id",
        "SELECT polyline FROM line_results",
        "SELECT text, per_line FROM interpretations",
    )
    with engine.connect() as connection:
        return [
            str(value)
            for query in queries
            for row in connection.execute(text(query))
            for value in row
            if value not in (None, "null")  # 0006 wrote a missing analysis as JSON null
        ]


def test_0008_seals_existing_rows_and_its_downgrade_restores_them(
    db_url: str, cipher: MultiFernet
) -> None:
    command.downgrade(alembic_config(db_url, cipher), "0006")
    plain_engine = make_engine(db_url)
    write_plain_rows(plain_engine)
    before = stored_values(plain_engine)
    assert any("ana-lopez" in value for value in before)

    upgrade_to_head(db_url, cipher)
    sealed = stored_values(plain_engine)
    assert len(sealed) == len(before) and all(v.startswith("gAAAAA") for v in sealed)
    assert not any(secret in " ".join(sealed) for secret in ("ana-lopez", "landmarks", "warm"))
    command.check(alembic_config(db_url))
    keyed = make_engine(db_url, cipher=cipher)
    with make_session_factory(keyed)() as session:
        done, queued = session.scalars(select(Reading).order_by(Reading.id)).all()
        assert (done.filename, done.analysis, queued.summary) == (
            "ana-lopez-left.jpg",
            ANALYSIS,
            None,
        )
        assert session.scalars(select(LineResult.polyline)).one() == [[101, 202], [303, 404]]
        texts = session.execute(select(Interpretation.text, Interpretation.per_line)).one()
        assert tuple(texts) == ("A warm and loyal heart.", {"heart": "Long and curved."})
    keyed.dispose()

    command.downgrade(alembic_config(db_url, cipher), "0006")
    assert stored_values(plain_engine) == before
    plain_engine.dispose()
    upgrade_to_head(db_url, cipher)  # PostgreSQL's test database is shared by the next tests
