"""SQLAlchemy engine and session factory: one place that knows SQLite from PostgreSQL.

An engine can carry the process's cipher (``make_engine(..., cipher=runtime.cipher)``): the
sealed column types (palm.models.base) encrypt and decrypt with the cipher of the engine they
run on, so the cipher is built once per process and handed to the engine, never per value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from cryptography.fernet import MultiFernet
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from palm.errors import PalmError
from palm.settings import PRIVATE_FILE_MODE, Settings, private_dir, private_file


class Base(DeclarativeBase):
    """Declarative base for every Palmline table."""


#: What hands out sessions; layers that must not name SQLAlchemy (the UI) use this name.
SessionFactory = sessionmaker[Session]

#: Each engine's cipher, keyed by the engine's dialect: the one object SQLAlchemy hands a
#: column type when it binds or reads a value.
_CIPHERS: WeakKeyDictionary[Dialect, MultiFernet] = WeakKeyDictionary()


class NoCipherError(PalmError):
    def __init__(self) -> None:
        super().__init__(
            "NO_CIPHER",
            "This database connection has no encryption keys, so encrypted columns cannot be "
            "read or written (build the engine with make_engine(..., cipher=...)).",
        )


def cipher_of(dialect: Dialect) -> MultiFernet:
    """The cipher of the engine this dialect belongs to (NoCipherError when it has none)."""
    cipher = _CIPHERS.get(dialect)
    if cipher is None:
        raise NoCipherError()
    return cipher


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


def make_engine(
    url: str, settings: Settings | None = None, *, cipher: MultiFernet | None = None
) -> Engine:
    """Create an engine with pool settings for servers and pragmas for SQLite; with a cipher,
    it can read and write the encrypted columns."""
    engine = _sqlite_engine(url) if _is_sqlite(url) else _server_engine(url, settings)
    if cipher is not None:
        _CIPHERS[engine.dialect] = cipher
    return engine


def _is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def _sqlite_engine(url: str) -> Engine:
    url = normalise_url(url)
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        _private_sqlite_file(Path(database))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
    event.listen(engine, "connect", _enable_sqlite_pragmas)
    return engine


def _server_engine(url: str, settings: Settings | None) -> Engine:
    pool: dict[str, Any] = {"pool_pre_ping": True}
    if settings is not None:
        pool.update(
            pool_size=settings.palm_db_pool_size,
            max_overflow=settings.palm_db_max_overflow,
            pool_timeout=settings.palm_db_pool_timeout,
        )
    return create_engine(normalise_url(url), **pool)


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
