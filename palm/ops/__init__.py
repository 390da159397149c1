"""Operations: what the admin console shows about the running system — health per
component, queues and their flow, failed jobs (requeue / delete), emptying a queue, workers,
Redis, the database, LLM usage and budget, errors — and the ping round trip."""

from palm.ops.console import (
    DatabaseView,
    LLMView,
    QueuesView,
    database_view,
    llm_view,
    overview,
    queues_view,
)
from palm.ops.database import (
    PoolStatus,
    QueryLog,
    QueryStats,
    SlowStatement,
    database_size,
    normalise,
    pool_status,
    table_rows,
)
from palm.ops.emptying import empty_queue
from palm.ops.errors import ErrorGroup, error_groups, error_location, with_location
from palm.ops.failed import (
    FailedJob,
    delete_all_failed,
    delete_failed,
    failed_jobs,
    requeue_all_failed,
    requeue_failed,
)
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
from palm.ops.presence import ONLINE_SECONDS, Presence, presence
from palm.ops.prometheus import METRICS_CONTENT_TYPE, metrics_text
from palm.ops.queues import (
    HourlyCount,
    QueueFlow,
    Registries,
    hourly_counts,
    queue_flows,
    registries,
)
from palm.ops.reconciler import Reconciled, reconcile
from palm.ops.redis_info import RedisReport, redis_report
from palm.ops.samples import CachePoint, cache_history, sample_caches
from palm.ops.security import Count, SecurityView, security_view
from palm.ops.stats import percentile
from palm.ops.system import (
    ping_job,
    ping_outcome,
    reply_cache_stats,
    run_ping,
    submit_ping,
    wait_for_job,
)
from palm.ops.usage import UsageGroup, UsageSummary, usage_by, usage_summary
from palm.ops.workers import (
    STALE_AFTER,
    WorkerStatus,
    worker_deaths_per_hour,
    worker_statuses,
)

__all__ = [
    "METRICS_CONTENT_TYPE",
    "ONLINE_SECONDS",
    "STALE_AFTER",
    "CachePoint",
    "Count",
    "DatabaseView",
    "ErrorGroup",
    "FailedJob",
    "Health",
    "HourlyCount",
    "LLMView",
    "Level",
    "PoolStatus",
    "Presence",
    "QueryLog",
    "QueryStats",
    "QueueFlow",
    "QueuesView",
    "Reconciled",
    "RedisReport",
    "Registries",
    "SecurityView",
    "SlowStatement",
    "UsageGroup",
    "UsageSummary",
    "WorkerStatus",
    "cache_history",
    "database_health",
    "database_size",
    "database_view",
    "delete_all_failed",
    "delete_failed",
    "empty_queue",
    "error_groups",
    "error_health",
    "error_location",
    "failed_jobs",
    "hourly_counts",
    "llm_health",
    "llm_view",
    "metrics_text",
    "normalise",
    "overview",
    "percentile",
    "ping_job",
    "ping_outcome",
    "pool_status",
    "presence",
    "queue_flows",
    "queue_health",
    "queues_view",
    "reconcile",
    "redis_health",
    "redis_report",
    "registries",
    "reply_cache_stats",
    "requeue_all_failed",
    "requeue_failed",
    "run_ping",
    "sample_caches",
    "security_view",
    "submit_ping",
    "table_rows",
    "usage_by",
    "usage_summary",
    "wait_for_job",
    "with_location",
    "worker_deaths_per_hour",
    "worker_health",
    "worker_statuses",
]
