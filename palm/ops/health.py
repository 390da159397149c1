"""The overview: one line per component, green / amber / red with the reason in words.

Each rule takes figures the other modules measured; the thresholds are here, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from palm.llm import BudgetStatus
from palm.ops.database import PoolStatus, QueryStats
from palm.ops.errors import ErrorGroup
from palm.ops.queues import QueueFlow, Registries
from palm.ops.redis_info import RedisReport
from palm.ops.workers import WorkerStatus

WAIT_AMBER, WAIT_RED = 30.0, 120.0  # seconds, queue wait p95
OLDEST_AMBER, OLDEST_RED = 60.0, 300.0  # seconds a job has been waiting
MEMORY_AMBER, MEMORY_RED = 0.8, 0.95  # share of maxmemory
QUERY_AMBER = 200.0  # ms, statement p95
FAILURES_AMBER, FAILURES_RED = 1, 20  # job failures in 24 h


class Level(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


RANK = {Level.GREEN: 0, Level.AMBER: 1, Level.RED: 2}


@dataclass(frozen=True)
class Health:
    component: str
    level: Level
    reason: str


def _worst(component: str, found: list[tuple[Level, str]], fine: str) -> Health:
    if not found:
        return Health(component, Level.GREEN, fine)
    level = max((level for level, _ in found), key=RANK.__getitem__)
    reasons = [reason for found_level, reason in found if found_level == level]
    return Health(component, level, "; ".join(reasons))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _above(value: float | None, amber: float, red: float) -> Level | None:
    if value is None or value <= amber:
        return None
    return Level.RED if value > red else Level.AMBER


def queue_health(flows: Sequence[QueueFlow]) -> Health:
    found = []
    for flow in flows:
        level = _above(flow.wait_p95, WAIT_AMBER, WAIT_RED)
        if level is not None and flow.wait_p95 is not None:
            limit = WAIT_RED if level == Level.RED else WAIT_AMBER
            found.append(
                (level, f"{flow.queue} queue wait p95 {flow.wait_p95:.0f} s > {limit:.0f} s")
            )
        level = _above(flow.oldest_queued_age, OLDEST_AMBER, OLDEST_RED)
        if level is not None and flow.oldest_queued_age is not None:
            found.append(
                (level, f"{flow.queue} queue's oldest job waiting {flow.oldest_queued_age:.0f} s")
            )
    return _worst("queue", found, "jobs start within their limits")


def worker_health(workers: Sequence[WorkerStatus], registries: Sequence[Registries]) -> Health:
    live = [worker for worker in workers if not worker.stale]
    waiting = sum(registry.queued for registry in registries)
    found = []
    if not live:
        detail = f", {_count(waiting, 'job')} waiting" if waiting else ""
        found.append((Level.RED, f"no live worker{detail}"))
    for worker in workers:
        if worker.stale:
            age = (
                f"{worker.heartbeat_age:.0f} s ago" if worker.heartbeat_age is not None else "never"
            )
            found.append((Level.AMBER, f"{worker.name} stale (last heartbeat {age})"))
    return _worst("workers", found, f"{len(live)} live")


def redis_health(report: RedisReport) -> Health:
    if not report.reachable:
        return Health("Redis", Level.RED, f"not reachable: {report.error}")
    found = []
    level = _above(report.memory_share, MEMORY_AMBER, MEMORY_RED)
    if level is not None and report.memory_share is not None:
        found.append((level, f"memory at {report.memory_share:.0%} of maxmemory"))
    if report.evicted:
        found.append((Level.AMBER, f"{report.evicted} keys evicted since start"))
    return _worst("Redis", found, f"up {report.uptime_seconds // 3600} h, {report.clients} clients")


def database_health(pool: PoolStatus, queries: QueryStats, error: str = "") -> Health:
    if error:
        return Health("database", Level.RED, f"not answering: {error}")
    found = []
    if pool.limit is not None and pool.checked_out is not None and pool.checked_out >= pool.limit:
        found.append((Level.AMBER, f"pool exhausted ({pool.checked_out} of {pool.limit} out)"))
    if queries.p95_ms is not None and queries.p95_ms > QUERY_AMBER:
        found.append((Level.AMBER, f"query p95 {queries.p95_ms:.0f} ms > {QUERY_AMBER:.0f} ms"))
    return _worst("database", found, f"{pool.dialect}, query p95 {queries.p95_ms or 0:.1f} ms")


def llm_health(budget: BudgetStatus, configured: bool) -> Health:
    spent = f"{budget.spent_usd:.2f} of {budget.budget_usd:.2f} USD this month"
    if budget.exhausted:
        return Health("LLM", Level.RED, f"budget used up ({spent}): readings are offline")
    if budget.warning:
        return Health("LLM", Level.AMBER, f"{budget.share:.0%} of the budget spent ({spent})")
    if not configured:
        return Health("LLM", Level.GREEN, "no model configured: the offline reader answers")
    return Health("LLM", Level.GREEN, spent)


def error_health(groups: Sequence[ErrorGroup], failed_now: int) -> Health:
    failures = sum(group.count for group in groups if group.source == "job")
    found = []
    level = _above(float(failures), FAILURES_AMBER - 1, FAILURES_RED)
    if level is not None:
        top = max((g for g in groups if g.source == "job"), key=lambda g: g.count)
        failed = _count(failures, "job failure")
        found.append((level, f"{failed} in 24 h (most: {top.code} ×{top.count})"))
    if failed_now:
        found.append((Level.AMBER, f"{_count(failed_now, 'job')} in the failed registries"))
    return _worst("errors", found, "no job failures in 24 h")
