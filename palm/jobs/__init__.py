"""Jobs: RQ queues, the jobs table that mirrors them, and the policy every job runs under.

Generic over what a job does: features submit JobSpecs and follow their own rows' state.
"""

from palm.jobs.deaths import record_worker_death, worker_deaths_per_hour
from palm.jobs.policy import (
    ANALYSIS_QUEUE,
    DEFAULT_QUEUE,
    QUEUE_NAMES,
    JobPolicy,
    analysis_policy,
    bulk_policy,
    export_policy,
    ping_policy,
    policy_for,
    webhook_policy,
)
from palm.jobs.queue import (
    FAILURE_CALLBACK,
    JobSpec,
    Queues,
    QueueUnavailableError,
    discard_jobs,
    enqueue,
    recover_abandoned_jobs,
    submit,
)
from palm.jobs.recovery import forget_worker, recover_worker_jobs
from palm.jobs.rows import (
    JobNotFoundError,
    count_by_state,
    create_job,
    ended_jobs_of,
    get_job,
    mark_failed,
    mark_finished,
    mark_refused,
    mark_requeued,
    mark_started,
    open_jobs,
    owned_job,
    recent_jobs,
    report_progress,
)

__all__ = [
    "ANALYSIS_QUEUE",
    "DEFAULT_QUEUE",
    "FAILURE_CALLBACK",
    "QUEUE_NAMES",
    "JobNotFoundError",
    "JobPolicy",
    "JobSpec",
    "QueueUnavailableError",
    "Queues",
    "analysis_policy",
    "bulk_policy",
    "count_by_state",
    "create_job",
    "discard_jobs",
    "ended_jobs_of",
    "enqueue",
    "export_policy",
    "forget_worker",
    "get_job",
    "mark_failed",
    "mark_finished",
    "mark_refused",
    "mark_requeued",
    "mark_started",
    "open_jobs",
    "owned_job",
    "ping_policy",
    "policy_for",
    "recent_jobs",
    "record_worker_death",
    "recover_abandoned_jobs",
    "recover_worker_jobs",
    "report_progress",
    "submit",
    "webhook_policy",
    "worker_deaths_per_hour",
]
