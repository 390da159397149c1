"""The `ping` round trip and the LLM reply cache's counters."""

from __future__ import annotations

import time

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.explore import CacheStats
from palm.jobs import DEFAULT_QUEUE, JobPolicy, JobSpec, Queues, get_job, submit
from palm.readers import reply_counters
from palm.vocabulary import TERMINAL_JOB_STATES


def ping_job(policy: JobPolicy) -> JobSpec:
    return JobSpec(kind="ping", func="workers.jobs.ping", policy=policy, queue=DEFAULT_QUEUE)


def reply_cache_stats(redis: Redis | None) -> CacheStats | None:
    """The LLM reply cache's hits and misses, or None without a reachable Redis."""
    if redis is None:
        return None
    try:
        counts = reply_counters(redis)
    except (RedisError, OSError):
        return None
    return CacheStats(hits=counts["hits"], misses=counts["misses"])


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
