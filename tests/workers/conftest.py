"""Worker tests: settings for code that runs in this process on the worker's behalf."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from palm.runtime import reset_runtime
from palm.settings import get_settings


@pytest.fixture
def worker_env(monkeypatch: pytest.MonkeyPatch, db_url: str, redis_url: str) -> Iterator[None]:
    """RQ maintenance runs failure callbacks in the process that cleans up; here, the test."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    reset_runtime()
    yield
    reset_runtime()
    get_settings.cache_clear()
