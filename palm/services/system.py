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
from palm.infra.queue import DEFAULT_QUEUE, QUEUE_NAMES, JobSpec, get_queue, submit
from palm.infra.redis import connect
from palm.services import jobs as job_rows
from palm.services.jobs import TERMINAL_STATES

PING = JobSpec(
    kind="ping",
    func="workers.jobs.ping",
    queue=DEFAULT_QUEUE,
    timeout=30,
    result_ttl=600,
    retries=1,
    retry_intervals=(1,),
)


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


def queue_statuses(redis: Redis) -> list[QueueStatus]:
    statuses = []
    for name in QUEUE_NAMES:
        queue = get_queue(redis, name)
        statuses.append(
            QueueStatus(
                name=name,
                queued=queue.count,
                started=queue.started_job_registry.count,
                failed=queue.failed_job_registry.count,
            )
        )
    return statuses


def worker_names(redis: Redis) -> list[str]:
    return sorted(worker.name for worker in Worker.all(connection=redis))


def submit_ping(factory: sessionmaker[Session], redis: Redis, user_id: int | None) -> str:
    return submit(factory, redis, PING, user_id=user_id)


def wait_for_job(factory: sessionmaker[Session], rq_id: str, timeout: float) -> str:
    """Poll the jobs row until it is finished or failed; returns the final state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with transaction(factory) as session:
            state = job_rows.get_job(session, rq_id).state
        if state in TERMINAL_STATES:
            return state
        time.sleep(0.1)
    raise PalmError(
        "JOB_TIMEOUT", f"job {rq_id} did not finish within {timeout:.0f} s; are workers running?"
    )


def run_ping(factory: sessionmaker[Session], redis_url: str, timeout: float) -> str:
    """Enqueue a ping and wait for a worker to finish it: proves Redis, worker and database."""
    redis = connect(redis_url)
    rq_id = submit_ping(factory, redis, None)
    state = wait_for_job(factory, rq_id, timeout)
    return f"ping job {rq_id}: {state}"
