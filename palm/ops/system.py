"""System status for the admin page and the `ping` round trip."""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.explore import CacheStats
from palm.jobs import DEFAULT_QUEUE, JobPolicy, JobSpec, Queues, get_job, submit
from palm.readers import reply_counters
from palm.vocabulary import TERMINAL_JOB_STATES


def ping_job(policy: JobPolicy) -> JobSpec:
    return JobSpec(kind="ping", func="workers.jobs.ping", policy=policy, queue=DEFAULT_QUEUE)


@dataclass(frozen=True)
class QueueStatus:
    name: str
    queued: int
    started: int
    failed: int


@dataclass(frozen=True)
class RedisStatus:
    reachable: bool
    version: str = ""
    used_memory: str = ""
    connected_clients: int = 0
    error: str = ""


def redis_status(redis: Redis) -> RedisStatus:
    """INFO essentials, or why Redis did not answer."""
    try:
        info = redis.info()
    except (RedisError, OSError) as exc:
        return RedisStatus(reachable=False, error=str(exc))
    return RedisStatus(
        reachable=True,
        version=str(info.get("redis_version", "")),
        used_memory=str(info.get("used_memory_human", "")),
        connected_clients=int(info.get("connected_clients", 0)),
    )


def queue_statuses(queues: Queues) -> list[QueueStatus]:
    statuses = []
    for queue in queues.all():
        statuses.append(
            QueueStatus(
                name=queue.name,
                queued=queue.count,
                started=queue.started_job_registry.count,
                failed=queue.failed_job_registry.count,
            )
        )
    return statuses


def reply_cache_stats(redis: Redis | None) -> CacheStats | None:
    """The LLM reply cache's hits and misses, or None without a reachable Redis."""
    if redis is None:
        return None
    try:
        counts = reply_counters(redis)
    except (RedisError, OSError):
        return None
    return CacheStats(hits=counts["hits"], misses=counts["misses"])


def worker_names(redis: Redis) -> list[str]:
    return sorted(worker.name for worker in Worker.all(connection=redis))


def submit_ping(
    factory: sessionmaker[Session], queues: Queues, policy: JobPolicy, user_id: int | None
) -> str:
    return submit(factory, queues, ping_job(policy), user_id=user_id)


def wait_for_job(factory: sessionmaker[Session], rq_id: str, timeout: float) -> str:
    """Poll the jobs row until it is finished or failed; returns the final state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with transaction(factory) as session:
            state = get_job(session, rq_id).state
        if state in TERMINAL_JOB_STATES:
            return state
        time.sleep(0.1)
    raise PalmError(
        "JOB_TIMEOUT", f"job {rq_id} did not finish within {timeout:.0f} s; are workers running?"
    )


def ping_outcome(factory: sessionmaker[Session], queues: Queues, rq_id: str) -> str:
    """What the admin sees for a ping: waiting, the worker's answer, or why it failed."""
    with transaction(factory) as session:
        job = get_job(session, rq_id)
        state, error = job.state, job.error_code
    if state not in TERMINAL_JOB_STATES:
        return f"ping {rq_id[:8]}: {state}, waiting for a worker"
    if state != "finished":
        return f"ping {rq_id[:8]}: failed ({error})"
    fetched = queues.get(DEFAULT_QUEUE).fetch_job(rq_id)
    answer = fetched.return_value() if fetched is not None else None
    return f"ping {rq_id[:8]}: {answer or 'finished'}"


def run_ping(
    factory: sessionmaker[Session], queues: Queues, policy: JobPolicy, timeout: float
) -> str:
    """Enqueue a ping and wait for a worker to finish it: proves Redis, worker and database.
    Owns its transactions (it polls the jobs row)."""
    rq_id = submit_ping(factory, queues, policy, None)
    state = wait_for_job(factory, rq_id, timeout)
    return f"ping job {rq_id}: {state}"
