"""RQ queues and the one way jobs are submitted: a jobs row first, then the RQ job.

Jobs are enqueued by dotted path with ids only (never ORM objects), with the timeout, TTLs
and retries of their policy (palm.jobs.policy).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.jobs import rows
from palm.jobs.policy import DEFAULT_QUEUE, QUEUE_NAMES, JobPolicy
from palm.vocabulary import JobFailure

FAILURE_CALLBACK = "workers.tracking.on_job_failure"


class QueueUnavailableError(PalmError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            JobFailure.QUEUE_UNAVAILABLE,
            f"The job queue is not reachable right now ({detail}). Try again.",
        )


@dataclass(frozen=True)
class JobSpec:
    """What to run and how: a dotted function path, id-only arguments, a queue and a policy."""

    kind: str
    func: str
    policy: JobPolicy
    args: tuple[int | str, ...] = ()
    queue: str = DEFAULT_QUEUE


class Queues:
    """The process's RQ queues over one Redis client, built once."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._queues = {name: Queue(name, connection=redis) for name in QUEUE_NAMES}

    def get(self, name: str) -> Queue:
        if name not in self._queues:
            raise ValueError(f"unknown queue {name!r}")
        return self._queues[name]

    def all(self) -> list[Queue]:
        return list(self._queues.values())


def submit(
    factory: sessionmaker[Session],
    queues: Queues,
    spec: JobSpec,
    *,
    user_id: int | None = None,
    reading_id: int | None = None,
    batch_id: str | None = None,
) -> str:
    """Commit a queued jobs row, then enqueue; if Redis refuses, the row says failed and why.

    Owns its transactions. The row is committed before the job is enqueued so a fast worker
    always finds it.
    """
    rq_id = uuid.uuid4().hex
    with transaction(factory) as session:
        rows.create_job(
            session,
            rq_id=rq_id,
            kind=spec.kind,
            queue=spec.queue,
            user_id=user_id,
            reading_id=reading_id,
            batch_id=batch_id,
            func=spec.func,
            args=list(spec.args),
        )
    try:
        enqueue(queues, spec, rq_id)
    except (RedisError, OSError) as exc:
        with transaction(factory) as session:
            rows.mark_failed(
                session,
                rq_id,
                error_code=JobFailure.QUEUE_UNAVAILABLE,
                error=str(exc),
                will_retry=False,
            )
        raise QueueUnavailableError(type(exc).__name__) from exc
    return rq_id


def enqueue(queues: Queues, spec: JobSpec, rq_id: str) -> None:
    """Put the RQ job on its queue under ``rq_id`` (its row already exists)."""
    policy = spec.policy
    retry = (
        Retry(max=policy.retries, interval=list(policy.retry_intervals)) if policy.retries else None
    )
    queues.get(spec.queue).enqueue(
        spec.func,
        *spec.args,
        job_id=rq_id,
        job_timeout=policy.timeout,
        result_ttl=policy.result_ttl,
        failure_ttl=policy.failure_ttl,
        retry=retry,
        on_failure=Callback(FAILURE_CALLBACK),
        meta={"kind": spec.kind, "stage": "queued"},
    )


def recover_abandoned_jobs(queues: Queues, *, at: float | None = None) -> None:
    """RQ's own clean-up of jobs whose worker died, as worker maintenance runs it.

    Each abandoned job gets its failure callback (our row says WORKER_DIED) and is retried
    if it has retries left. `at` moves the expiry cut-off (tests use a time in the future).
    """
    for queue in queues.all():
        queue.started_job_registry.cleanup(timestamp=at)


def discard_jobs(queues: Queues, rq_ids: Sequence[str]) -> int:
    """Take jobs off their queues and out of Redis (their owner is gone); a job already
    running finishes its current step and then finds nothing to save. Returns how many
    RQ jobs were still there."""
    found = 0
    for rq_id in rq_ids:
        try:
            job = RQJob.fetch(rq_id, connection=queues.redis)
        except NoSuchJobError:
            continue
        found += 1
        job.delete(remove_from_queue=True, delete_dependents=True)
    return found
