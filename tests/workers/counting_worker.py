"""A PalmWorker that counts every client construction in its process, so a test can prove
that many jobs build each client once (palm.runtime), not once per job.

Constructors are wrapped before the worker warms up; the RQ command line has already built
the worker's own Redis connection by then, so what is counted is what Palmline builds.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import Any

import openai
import redis
from cryptography.fernet import MultiFernet
from sqlalchemy import Engine

from palm import db, infra, jobs
from palm.runtime import get_runtime
from workers.worker import PalmWorker

BUILT: Counter[str] = Counter()


def _count_init(cls: type[Any], name: str) -> None:
    original: Callable[..., None] = cls.__init__

    @functools.wraps(original)
    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        BUILT[name] += 1
        original(self, *args, **kwargs)

    setattr(cls, "__init__", counting)  # noqa: B010


def _count_engines() -> None:
    """palm.db.make_engine is the one caller of SQLAlchemy's create_engine."""
    original: Callable[..., Engine] = getattr(db, "create_engine")  # noqa: B009

    @functools.wraps(original)
    def counting(*args: Any, **kwargs: Any) -> Engine:
        BUILT["Engine"] += 1
        return original(*args, **kwargs)

    setattr(db, "create_engine", counting)  # noqa: B010


class CountingWorker(PalmWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _count_init(redis.Redis, "Redis")
        _count_init(infra.BlobStore, "BlobStore")
        _count_init(MultiFernet, "MultiFernet")
        _count_init(openai.OpenAI, "OpenAI")
        _count_init(jobs.Queues, "Queues")
        _count_engines()
        super().__init__(*args, **kwargs)


def report() -> dict[str, dict[str, int]]:
    """The last job of a run: what was built, by the wrappers and by the runtime's own count."""
    return {"constructed": dict(BUILT), "runtime": dict(get_runtime().built)}
