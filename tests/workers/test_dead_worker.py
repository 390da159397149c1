"""A worker that dies mid-job: its job is found from the lapsed heartbeat by any other worker
(no launcher needed) or at once by the launcher that saw it die, and runs again."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker
from sqlalchemy.orm import Session, sessionmaker

from palm import webhooks
from palm.accounts import create_user
from palm.db import transaction
from palm.jobs import (
    JobSpec,
    Queues,
    record_worker_death,
    recover_worker_jobs,
    submit,
    worker_deaths_per_hour,
)
from palm.jobs import rows as job_rows
from palm.vocabulary import JobState, Role
from tests.support.jobs import policy
from tests.support.receiver import Receiver
from tests.workers.burst import start_worker
from workers.worker import HEARTBEAT_TTL

RECOVERY_LIMIT = 60  # seconds from the death to the job finished (the bound)


def state(factory: sessionmaker[Session], rq_id: str) -> tuple[str, int, str | None]:
    with transaction(factory) as session:
        job = job_rows.get_job(session, rq_id)
        return job.state, job.attempts, job.error_code


def submit_die_once(factory: sessionmaker[Session], redis: Redis, tmp_path: Path) -> str:
    spec = JobSpec(
        kind="test",
        func="tests.workers.crashing_jobs.die_once",
        policy=policy(retries=1, intervals=(0,)),
        args=(str(tmp_path / "died-once"),),
    )
    return submit(factory, Queues(redis), spec)


def deaths(redis: Redis) -> int:
    return sum(count for _, count in worker_deaths_per_hour(redis, now=time.time()))


def wait_for_state(
    factory: sessionmaker[Session], rq_id: str, wanted: str, timeout: float
) -> float:
    started = time.monotonic()
    while state(factory, rq_id)[0] != wanted:
        assert time.monotonic() - started < timeout, state(factory, rq_id)
        time.sleep(0.2)
    return time.monotonic() - started


def admin_hears_worker_deaths(
    factory: sessionmaker[Session], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An admin's webhook for system.worker_died (the receiver is local: allowed for the
    workers started next, which read the setting from their environment)."""
    monkeypatch.setenv("PALM_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("PALM_WEBHOOK_RETRY_INTERVALS", "0")
    with transaction(factory) as session:
        admin = create_user(session, "root@example.com", "correct horse battery", Role.ADMIN)
        webhooks.create_endpoint(
            session, admin.id, receiver.url, ["system.worker_died"], allow_private=True
        )


def test_another_worker_recovers_a_dead_workers_job_from_its_lapsed_heartbeat(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = Receiver()
    receiver.start()
    admin_hears_worker_deaths(session_factory, receiver, monkeypatch)
    rq_id = submit_die_once(session_factory, redis_client, tmp_path)
    first = start_worker(redis_url, db_url, tmp_path / "data", name="first")
    assert first.wait(timeout=120) == -signal.SIGKILL
    assert state(session_factory, rq_id)[0] == JobState.STARTED  # nobody knows yet
    died = time.monotonic()
    second = start_worker(
        redis_url, db_url, tmp_path / "data", name="second", maintenance_interval=2
    )
    try:
        wait_for_state(session_factory, rq_id, JobState.FINISHED, RECOVERY_LIMIT)
        heard = time.monotonic()
        while not receiver.got:  # the announcement is a job of its own, run by ``second``
            assert time.monotonic() - heard < 60, "no system.worker_died delivery"
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        receiver.stop()
    assert time.monotonic() - died >= HEARTBEAT_TTL - 1  # found by the lapse, not by chance
    assert state(session_factory, rq_id)[1] == 2
    assert deaths(redis_client) == 1  # counted where the lapse was found
    (announced,) = receiver.got  # once for the dead worker
    body = json.loads(announced.body)
    assert (body["type"], body["data"]) == (
        "system.worker_died",
        {"worker": "first", "job_id": rq_id},
    )


@pytest.mark.usefixtures("worker_env")
def test_a_known_dead_worker_has_its_job_handed_back_at_once(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    rq_id = submit_die_once(session_factory, redis_client, tmp_path)
    first = start_worker(redis_url, db_url, tmp_path / "data", name="first")
    assert first.wait(timeout=120) == -signal.SIGKILL
    assert record_worker_death(redis_client, "first", now=time.time())  # as the supervisor
    assert recover_worker_jobs(Queues(redis_client), "first") == [rq_id]
    assert state(session_factory, rq_id) == (JobState.RETRYING, 1, "WORKER_DIED")
    assert deaths(redis_client) == 1  # the recovery's callback found the same death
    assert "first" not in {w.name for w in Worker.all(connection=redis_client)}  # unlisted
