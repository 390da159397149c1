"""The engine factory: a SQLite database file (and its WAL) only this account can read."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from palm.db import make_engine

pytestmark = pytest.mark.usefixtures("loose_umask")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    database = tmp_path / "data" / "palm.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE readings (id INTEGER PRIMARY KEY, summary TEXT)"))
        connection.execute(text("INSERT INTO readings (summary) VALUES ('left hand')"))
        assert Path(f"{database}-wal").exists()
        assert mode(Path(f"{database}-wal")) == 0o600
        assert mode(Path(f"{database}-shm")) == 0o600
    engine.dispose()
    assert mode(database) == 0o600
    assert mode(database.parent) == 0o700


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "palm.db"
    database.touch(mode=0o644)
    folder = mode(tmp_path)
    assert mode(database) == 0o644
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600
    assert mode(tmp_path) == folder  # a directory it did not create is not its to change
