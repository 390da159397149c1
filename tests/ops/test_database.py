"""The database figures: statements timed by engine events (normalised, no parameters), the
pool, row counts and size."""

from __future__ import annotations

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import create_user
from palm.db import transaction
from palm.models import User
from palm.ops import (
    Level,
    QueryLog,
    database_health,
    database_size,
    normalise,
    pool_status,
    table_rows,
)
from palm.vocabulary import Role


def test_statements_are_normalised_without_their_values() -> None:
    raw = "SELECT * FROM users  WHERE email = 'ana@example.com' AND id IN (?, ?, ?) LIMIT 20"
    assert normalise(raw) == "SELECT * FROM users WHERE email = ? AND id IN (?) LIMIT ?"


def test_engine_events_time_every_statement(engine: Engine) -> None:
    log = QueryLog()
    log.attach(engine)
    with engine.connect() as connection:
        for user_id in range(5):
            connection.execute(select(User).where(User.id == user_id))
        connection.execute(text("SELECT count(*) FROM users WHERE email = 'secret@example.com'"))
    stats = log.stats()
    assert stats.statements == 6
    assert stats.p50_ms is not None and stats.p95_ms is not None and stats.p95_ms >= stats.p50_ms
    assert stats.checkouts_per_min >= 1
    shown = [slow.statement for slow in stats.slowest]
    assert "SELECT count(*) FROM users WHERE email = ?" in shown
    assert not any("secret" in statement for statement in shown)
    by_text = {slow.statement: slow.calls for slow in stats.slowest}
    assert max(by_text.values()) == 5  # the five lookups by id read as one statement


def test_statements_older_than_the_window_are_forgotten() -> None:
    log = QueryLog(window=60)
    log.record("SELECT 1", 0.002, at=0.0)
    log.record("SELECT 2", 0.004, at=100.0)
    stats = log.stats(now=110.0)
    assert stats.statements == 1 and stats.p50_ms == 4.0


def test_pool_rows_and_size(engine: Engine, session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        create_user(session, "ana@example.com", "correct horse battery", Role.USER)
    pool = pool_status(engine)
    assert pool.dialect == engine.dialect.name and pool.description
    with transaction(session_factory) as session:
        rows = table_rows(session)
        size = database_size(session)
        assert pool_status(engine).checked_out == 1
    assert rows["users"] == 1 and rows["jobs"] == 0 and "usage_records" in rows
    assert size is not None and size > 0
    health = database_health(pool, QueryLog().stats())
    assert health.level == Level.GREEN and health.reason.startswith(engine.dialect.name)
    assert database_health(pool, QueryLog().stats(), "timeout").level == Level.RED
