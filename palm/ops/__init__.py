"""Operations: what the admin page shows about the running system (Redis, queues, workers,
jobs, LLM usage) and the ping round trip."""

from palm.ops.reconciler import Reconciled, reconcile
from palm.ops.system import (
    QueueStatus,
    RedisStatus,
    ping_job,
    ping_outcome,
    queue_statuses,
    redis_status,
    reply_cache_stats,
    run_ping,
    submit_ping,
    wait_for_job,
    worker_names,
)
from palm.ops.usage import UsageSummary, usage_summary

__all__ = [
    "QueueStatus",
    "Reconciled",
    "RedisStatus",
    "UsageSummary",
    "ping_job",
    "ping_outcome",
    "queue_statuses",
    "reconcile",
    "redis_status",
    "reply_cache_stats",
    "run_ping",
    "submit_ping",
    "usage_summary",
    "wait_for_job",
    "worker_names",
]
