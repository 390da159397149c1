"""Per-process resources of a worker: created once on first use, never shared across forks."""

from __future__ import annotations

import os
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from palm.db import make_engine, make_session_factory
from palm.settings import get_settings


@lru_cache(maxsize=4)
def _factory_for(pid: int, url: str) -> sessionmaker[Session]:
    """Keyed by pid: a forked work-horse must not reuse its parent's pooled connections."""
    settings = get_settings()
    return make_session_factory(make_engine(url, settings))


def session_factory() -> sessionmaker[Session]:
    return _factory_for(os.getpid(), get_settings().resolved_database_url)
