"""Jobs whose worker died: handed back to RQ's abandoned-job handling at once.

A supervisor (the launcher) that sees a worker process exit knows its RQ name, and the
worker's execution index (``rq:worker:<name>:executions``) names what it was running. Those
registry entries are expired now instead of at their lapse, and RQ's own clean-up then runs
the failure callback (the row says WORKER_DIED) and retries the job if retries are left.
"""

from __future__ import annotations

from redis import Redis
from rq.worker import Worker

from palm.jobs.queue import Queues

EXPIRED = 1  # a score in the past: the entry is abandoned


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def executions_of(redis: Redis, worker_name: str) -> list[str]:
    """The ``job_id:execution_id`` entries the named worker was running."""
    key = f"{Worker.redis_worker_namespace_prefix}{worker_name}:executions"
    return sorted(_text(member) for member in redis.smembers(key))


def recover_worker_jobs(queues: Queues, worker_name: str) -> list[str]:
    """Abandon the jobs of a worker that is known to be dead; returns their ids."""
    entries = executions_of(queues.redis, worker_name)
    recovered = []
    for queue in queues.all():
        registry = queue.started_job_registry
        mine = [e for e in entries if queues.redis.zscore(registry.key, e) is not None]
        if not mine:
            continue
        queues.redis.zadd(registry.key, dict.fromkeys(mine, EXPIRED))
        registry.cleanup(timestamp=EXPIRED)
        recovered += [entry.split(":", 1)[0] for entry in mine]
    forget_worker(queues.redis, worker_name)
    return recovered


def forget_worker(redis: Redis, worker_name: str) -> None:
    """Drop a dead worker's registration, so `rq info` and the admin page stop listing it."""
    worker = Worker.find_by_key(
        Worker.redis_worker_namespace_prefix + worker_name, connection=redis
    )
    if worker is not None:
        worker.register_death()  # type: ignore[no-untyped-call]
