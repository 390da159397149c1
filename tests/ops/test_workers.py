"""Workers as RQ registers them; a worker killed outright keeps its registration, and its
heartbeat ages until the console flags it stale."""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

from redis import Redis
from rq import Worker
from sqlalchemy.orm import Session, sessionmaker

from palm.jobs import JobSpec, Queues, submit
from palm.models import utcnow
from palm.ops import STALE_AFTER, Level, registries, worker_health, worker_statuses
from tests.support.jobs import policy
from tests.workers.burst import start_worker


def test_a_killed_worker_is_flagged_stale_once_its_heartbeat_ages(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    spec = JobSpec(
        kind="test",
        func="tests.workers.crashing_jobs.die_once",
        policy=policy(),
        args=(str(tmp_path / "died-once"),),
    )
    rq_id = submit(session_factory, Queues(redis_client), spec)
    worker = start_worker(redis_url, db_url, tmp_path / "data", name="doomed")
    assert worker.wait(timeout=120) == -signal.SIGKILL  # died inside the job
    now = utcnow()
    [fresh] = worker_statuses(redis_client, now=now)
    assert fresh.name == "doomed" and fresh.pid == worker.pid and fresh.host
    assert fresh.state == "busy" and fresh.current_job == rq_id
    assert fresh.job_seconds is not None and fresh.job_seconds >= 0
    assert fresh.heartbeat_age is not None and fresh.heartbeat_age < STALE_AFTER
    assert not fresh.stale and fresh.started is not None
    assert fresh.rss_bytes is None  # its process is gone; the registration is what is left

    later = now + timedelta(seconds=STALE_AFTER + 30)
    [aged] = worker_statuses(redis_client, now=later)
    assert aged.stale and aged.heartbeat_age is not None and aged.heartbeat_age > STALE_AFTER
    health = worker_health([aged], registries(Queues(redis_client)))
    assert health.level == Level.RED and "no live worker" in health.reason


def test_no_worker_at_all_is_red(redis_client: Redis) -> None:
    health = worker_health(worker_statuses(redis_client, now=utcnow()), [])
    assert (health.level, health.reason) == (Level.RED, "no live worker")


def test_a_live_worker_on_this_machine_shows_its_memory(redis_client: Redis) -> None:
    worker = Worker(Queues(redis_client).all(), connection=redis_client, name="alive")
    worker.register_birth()  # type: ignore[no-untyped-call]
    [status] = worker_statuses(redis_client, now=utcnow())
    assert status.pid == os.getpid() and status.state != "busy" and status.current_job == ""
    assert status.rss_bytes is not None and status.rss_bytes > 10_000_000
    assert worker_health([status], []).level == Level.GREEN
