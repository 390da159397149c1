"""SQLAlchemy engine and session factory: one place that knows SQLite from PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from palm.settings import PRIVATE_FILE_MODE, Settings, private_dir, private_file


class Base(DeclarativeBase):
    """Declarative base for every Palmline table."""


#: What hands out sessions; layers that must not name SQLAlchemy (the UI) use this name.
SessionFactory = sessionmaker[Session]


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets the UI read while a worker writes; SQLite leaves foreign keys off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; no fsync per commit
    cursor.close()


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (psycopg2 is not installed)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _private_sqlite_file(database: Path) -> None:
    """The database file is created 0600 before SQLite opens it (SQLite gives its -wal and
    -shm files the database file's mode); an existing one is tightened."""
    if not database.parent.exists():
        private_dir(database.parent)
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        private_file(path)


def make_engine(url: str, settings: Settings | None = None) -> Engine:
    """Create an engine with pool settings for servers and pragmas for SQLite."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            _private_sqlite_file(Path(database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    pool: dict[str, Any] = {"pool_pre_ping": True}
    if settings is not None:
        pool.update(
            pool_size=settings.palm_db_pool_size,
            max_overflow=settings.palm_db_max_overflow,
            pool_timeout=settings.palm_db_pool_timeout,
        )
    return create_engine(url, **pool)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit, so callers can read what they saved."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
