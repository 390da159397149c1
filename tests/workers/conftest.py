"""Worker tests: settings for code that runs in this process on the worker's behalf."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from palm.runtime import reset_runtime
from palm.settings import get_settings


@pytest.fixture
def worker_env(
    monkeypatch: pytest.MonkeyPatch, db_url: str, redis_url: str, tmp_path: Path
) -> Iterator[None]:
    """RQ maintenance runs failure callbacks in the process that cleans up; here, the test
    (with the worker's data directory, so its keys read the rows the fixtures sealed)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("PALM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PALM_ENCRYPTION_KEYS", raising=False)
    get_settings.cache_clear()
    reset_runtime()
    yield
    reset_runtime()
    get_settings.cache_clear()
