"""The database as the console shows it: dialect, pool, size, rows per table, and how long
this process's statements take (timed with SQLAlchemy's engine events; statements are
normalised and shown without their parameters)."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

from palm.db import Base
from palm.ops.stats import percentile

WINDOW = 3600.0  # seconds of statements kept
MAX_SAMPLES = 50_000  # and at most this many (a busy hour keeps its newest)
MAX_STATEMENT = 240

_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?\b")
_LIST = re.compile(r"\((?:\s*(?:\?|%\([^)]*\)s|:\w+|__\[POSTCOMPILE_\w+\])\s*,?)+\)")
_SPACE = re.compile(r"\s+")


def normalise(statement: str) -> str:
    """One line, literals and parameter lists folded to ?: statements that differ only in
    their values read alike, and no value is shown."""
    folded = _STRING.sub("?", statement)
    folded = _NUMBER.sub("?", folded)
    folded = _LIST.sub("(?)", folded)
    folded = _SPACE.sub(" ", folded).strip()
    return folded if len(folded) <= MAX_STATEMENT else folded[: MAX_STATEMENT - 1] + "…"


@dataclass(frozen=True)
class SlowStatement:
    statement: str
    calls: int
    p95_ms: float
    max_ms: float


@dataclass(frozen=True)
class QueryStats:
    statements: int
    p50_ms: float | None
    p95_ms: float | None
    checkouts_per_min: float
    slowest: list[SlowStatement]


class QueryLog:
    """The last hour of one engine's statements and pool checkouts, in memory."""

    def __init__(self, *, window: float = WINDOW, max_samples: int = MAX_SAMPLES) -> None:
        self.window = window
        self._samples: deque[tuple[float, str, float]] = deque(maxlen=max_samples)
        self._checkouts: deque[float] = deque(maxlen=max_samples)
        self._lock = threading.Lock()

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine.pool, "checkout", self._checkout)

    def _before(self, conn: Any, *_args: Any) -> None:
        conn.info.setdefault("palm_query_started", []).append(time.perf_counter())

    def _after(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        started = conn.info.get("palm_query_started")
        if started:
            self.record(statement, time.perf_counter() - started.pop())

    def _checkout(self, *_args: Any) -> None:
        with self._lock:
            self._checkouts.append(time.monotonic())

    def record(self, statement: str, seconds: float, *, at: float | None = None) -> None:
        with self._lock:
            self._samples.append((time.monotonic() if at is None else at, statement, seconds))

    def stats(self, *, slowest: int = 10, now: float | None = None) -> QueryStats:
        now = time.monotonic() if now is None else now
        since = now - self.window
        with self._lock:
            samples = [(s, ms * 1000) for at, s, ms in self._samples if at >= since]
            checkouts = sum(at >= now - 60 for at in self._checkouts)
        durations = [ms for _, ms in samples]
        by_statement: dict[str, list[float]] = {}
        for statement, ms in samples:
            by_statement.setdefault(normalise(statement), []).append(ms)
        ranked = sorted(by_statement.items(), key=lambda item: max(item[1]), reverse=True)
        return QueryStats(
            statements=len(samples),
            p50_ms=percentile(durations, 50),
            p95_ms=percentile(durations, 95),
            checkouts_per_min=float(checkouts),
            slowest=[
                SlowStatement(s, len(times), percentile(times, 95) or 0.0, max(times))
                for s, times in ranked[:slowest]
            ],
        )


@dataclass(frozen=True)
class PoolStatus:
    dialect: str
    size: int | None
    checked_out: int | None
    overflow: int | None
    limit: int | None  # size + max overflow: a checkout beyond this waits
    description: str


def pool_status(engine: Engine) -> PoolStatus:
    pool: Any = engine.pool

    def figure(name: str) -> int | None:
        method = getattr(pool, name, None)
        return int(method()) if callable(method) else None

    return PoolStatus(
        dialect=engine.dialect.name,
        size=figure("size"),
        checked_out=figure("checkedout"),
        overflow=figure("overflow"),
        limit=_limit(pool),
        description=str(pool.status()),
    )


def _limit(pool: Any) -> int | None:
    size, extra = getattr(pool, "_pool", None), getattr(pool, "_max_overflow", None)
    if size is None or extra is None or extra < 0:
        return None  # not a QueuePool, or one without a cap
    return int(size.maxsize) + int(extra)


def table_rows(session: Session) -> dict[str, int]:
    """Rows per table (COUNT(*): exact, and fast enough at Palmline's sizes)."""
    return {
        table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for table in Base.metadata.sorted_tables
    }


def database_size(session: Session) -> int | None:
    """Bytes on disk, where the dialect can say."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        pages = session.scalar(text("PRAGMA page_count")) or 0
        page_size = session.scalar(text("PRAGMA page_size")) or 0
        return int(pages) * int(page_size)
    if dialect == "postgresql":
        return int(session.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    return None
