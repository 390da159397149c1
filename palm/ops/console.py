"""What each section of the console shows, gathered in one call per section (the page, the
Prometheus endpoint and bench/ops.py build from these). Each takes a Session and never
commits; Redis-backed figures are skipped (None) without a Redis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from palm.jobs import Queues
from palm.llm import BudgetStatus, budget_status
from palm.ops.database import (
    PoolStatus,
    QueryLog,
    QueryStats,
    database_size,
    pool_status,
    table_rows,
)
from palm.ops.errors import ErrorGroup, error_groups
from palm.ops.health import (
    Health,
    Level,
    database_health,
    error_health,
    llm_health,
    queue_health,
    redis_health,
    worker_health,
)
from palm.ops.queues import (
    HourlyCount,
    QueueFlow,
    Registries,
    hourly_counts,
    queue_flows,
    registries,
)
from palm.ops.redis_info import redis_report
from palm.ops.usage import UsageGroup, usage_by
from palm.ops.workers import WorkerStatus, worker_statuses


@dataclass(frozen=True)
class QueuesView:
    registries: list[Registries]
    flows: list[QueueFlow]
    hourly: list[HourlyCount]


def queues_view(session: Session, queues: Queues | None, *, now: datetime) -> QueuesView:
    return QueuesView(
        registries=registries(queues) if queues is not None else [],
        flows=queue_flows(session, now=now),
        hourly=hourly_counts(session, now=now),
    )


@dataclass(frozen=True)
class DatabaseView:
    pool: PoolStatus
    queries: QueryStats
    rows: dict[str, int]
    size_bytes: int | None


def database_view(session: Session, engine: Engine, log: QueryLog) -> DatabaseView:
    return DatabaseView(
        pool=pool_status(engine),
        queries=log.stats(),
        rows=table_rows(session),
        size_bytes=database_size(session),
    )


@dataclass(frozen=True)
class LLMView:
    budget: BudgetStatus
    by_model: list[UsageGroup]
    by_purpose: list[UsageGroup]
    by_user: list[UsageGroup]
    by_day: list[UsageGroup]


def llm_view(session: Session, default_budget: float, *, now: datetime, days: int = 30) -> LLMView:
    since = now - timedelta(days=days)
    return LLMView(
        budget=budget_status(session, default_budget, now=now),
        by_model=usage_by(session, "model", since=since),
        by_purpose=usage_by(session, "purpose", since=since),
        by_user=usage_by(session, "user", since=since),
        by_day=usage_by(session, "day", since=since),
    )


def overview(
    session: Session,
    *,
    queues: Queues | None,
    redis: Redis | None,
    engine: Engine,
    log: QueryLog,
    default_budget: float,
    llm_configured: bool,
    now: datetime,
) -> list[Health]:
    """One health line per component: queue, workers, Redis, database, LLM, errors."""
    lines: list[Health] = []
    flows = queue_flows(session, now=now)
    lines.append(queue_health(flows))
    workers: list[WorkerStatus] = []
    queue_counts: list[Registries] = []
    failed_now = 0
    if redis is None or queues is None:
        lines.append(Health("workers", Level.RED, "REDIS_URL is not set: no queues, no workers"))
        lines.append(Health("Redis", Level.RED, "REDIS_URL is not set"))
    else:
        report = redis_report(redis, with_keys=False)
        if report.reachable:
            try:
                workers = worker_statuses(redis, now=now)
                queue_counts = registries(queues)
                failed_now = sum(r.failed for r in queue_counts)
                lines.append(worker_health(workers, queue_counts))
            except (RedisError, OSError) as exc:
                lines.append(Health("workers", Level.RED, f"cannot be listed: {exc}"))
        else:
            lines.append(Health("workers", Level.RED, "unknown: Redis is not reachable"))
        lines.append(redis_health(report))
    lines.append(database_health(pool_status(engine), log.stats()))
    lines.append(llm_health(budget_status(session, default_budget, now=now), llm_configured))
    groups: list[ErrorGroup] = error_groups(session, now=now)
    lines.append(error_health(groups, failed_now))
    return lines
