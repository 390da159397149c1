"""RQ queues and the one way jobs are submitted: a jobs row first, then the RQ job.

Jobs are enqueued by dotted path with ids only (never ORM objects), with explicit timeout,
result TTL and retry policy.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.services import jobs as job_rows

ANALYSIS_QUEUE = "analysis"
DEFAULT_QUEUE = "default"
QUEUE_NAMES = (ANALYSIS_QUEUE, DEFAULT_QUEUE)
FAILURE_CALLBACK = "workers.tracking.on_job_failure"


class QueueUnavailableError(PalmError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "QUEUE_UNAVAILABLE", f"The job queue is not reachable right now ({detail}). Try again."
        )


@dataclass(frozen=True)
class JobSpec:
    """What to run and how: a dotted function path, id-only arguments, limits and retries."""

    kind: str
    func: str
    args: tuple[int | str, ...] = ()
    queue: str = DEFAULT_QUEUE
    timeout: int = 300
    result_ttl: int = 3600
    retries: int = 0
    retry_intervals: Sequence[int] = (5,)


def get_queue(redis: Redis, name: str) -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=redis)


def submit(
    factory: sessionmaker[Session],
    redis: Redis,
    spec: JobSpec,
    *,
    user_id: int | None = None,
    reading_id: int | None = None,
    batch_id: str | None = None,
) -> str:
    """Commit a queued jobs row, then enqueue; if Redis refuses, the row says failed and why.

    The row is committed before the job is enqueued so a fast worker always finds it.
    """
    rq_id = uuid.uuid4().hex
    with transaction(factory) as session:
        job_rows.create_job(
            session,
            rq_id=rq_id,
            kind=spec.kind,
            queue=spec.queue,
            user_id=user_id,
            reading_id=reading_id,
            batch_id=batch_id,
        )
    retry = Retry(max=spec.retries, interval=list(spec.retry_intervals)) if spec.retries else None
    try:
        get_queue(redis, spec.queue).enqueue(
            spec.func,
            *spec.args,
            job_id=rq_id,
            job_timeout=spec.timeout,
            result_ttl=spec.result_ttl,
            failure_ttl=7 * 24 * 3600,
            retry=retry,
            on_failure=Callback(FAILURE_CALLBACK),
            meta={"kind": spec.kind, "stage": "queued"},
        )
    except (RedisError, OSError) as exc:
        with transaction(factory) as session:
            job_rows.mark_failed(
                session, rq_id, error_code="QUEUE_UNAVAILABLE", error=str(exc), will_retry=False
            )
        raise QueueUnavailableError(type(exc).__name__) from exc
    return rq_id


def recover_abandoned_jobs(redis: Redis, *, at: float | None = None) -> None:
    """RQ's own clean-up of jobs whose worker died, as worker maintenance runs it.

    Each abandoned job gets its failure callback (our row says WORKER_DIED) and is retried
    if it has retries left. `at` moves the expiry cut-off (tests use a time in the future).
    """
    for name in QUEUE_NAMES:
        get_queue(redis, name).started_job_registry.cleanup(timestamp=at)
