"""Jobs go through a real Redis and a real `rq worker` process; the jobs row mirrors them."""

from __future__ import annotations

import inspect
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import connect
from palm.jobs import (
    DEFAULT_QUEUE,
    JobSpec,
    Queues,
    QueueUnavailableError,
    recover_abandoned_jobs,
    submit,
)
from palm.jobs import rows as job_rows
from palm.models import utcnow
from palm.ops import error_groups, ping_job, submit_ping
from palm.vocabulary import JobState
from tests.support.jobs import policy
from tests.workers import crashing_jobs
from tests.workers.burst import run_burst_worker


def row(factory: sessionmaker[Session], rq_id: str) -> tuple[str, str, float, int, str | None]:
    with transaction(factory) as session:
        job = job_rows.get_job(session, rq_id)
        return job.state, job.stage, job.progress, job.attempts, job.error_code


def test_ping_round_trip_reaches_finished(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    rq_id = submit_ping(session_factory, Queues(redis_client), policy(), None)
    assert row(session_factory, rq_id)[0] == JobState.QUEUED
    result = run_burst_worker(redis_url, db_url, tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert row(session_factory, rq_id) == (JobState.FINISHED, "done", 1.0, 1, None)
    finished = Queue(DEFAULT_QUEUE, connection=redis_client).fetch_job(rq_id)
    assert finished is not None and finished.return_value() == "pong"


def test_a_coded_error_marks_the_row_failed_with_its_code(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    spec = JobSpec(
        kind="test", func="tests.workers.crashing_jobs.raise_coded_error", policy=policy()
    )
    rq_id = submit(session_factory, Queues(redis_client), spec)
    run_burst_worker(redis_url, db_url, tmp_path / "data")
    state, stage, _progress, attempts, code = row(session_factory, rq_id)
    assert (state, stage, attempts, code) == (JobState.REFUSED, "refused", 1, "BROKEN_PHOTO")


def test_an_unexpected_error_keeps_where_it_was_raised_for_grouping(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    spec = JobSpec(
        kind="test", func="tests.workers.crashing_jobs.raise_unexpected_error", policy=policy()
    )
    rq_id = submit(session_factory, Queues(redis_client), spec)
    run_burst_worker(redis_url, db_url, tmp_path / "data")
    source = inspect.getsource(crashing_jobs.raise_unexpected_error).splitlines()
    first = inspect.getsourcelines(crashing_jobs.raise_unexpected_error)[1]
    line = first + next(i for i, text in enumerate(source) if "raise ValueError" in text)
    with transaction(session_factory) as session:
        job = job_rows.get_job(session, rq_id)
        assert (
            job.error
            == f"ValueError: a bug, not a bad photo\nat tests/workers/crashing_jobs.py:{line}"
        )
        [group] = error_groups(session, now=utcnow())
    assert (group.code, group.location) == (
        "JOB_ERROR ValueError",
        f"tests/workers/crashing_jobs.py:{line}",
    )
    assert group.example == "ValueError: a bug, not a bad photo"


@pytest.mark.usefixtures("worker_env")
@pytest.mark.parametrize(("retries", "attempts"), [(0, 1), (1, 2)])
def test_a_killed_worker_never_leaves_the_row_running(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
    retries: int,
    attempts: int,
) -> None:
    spec = JobSpec(
        kind="test",
        func="tests.workers.crashing_jobs.kill_own_work_horse",
        policy=policy(retries=retries),
    )
    queues = Queues(redis_client)
    rq_id = submit(session_factory, queues, spec)
    for _attempt in range(attempts):
        assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == -9
        assert row(session_factory, rq_id)[0] == JobState.STARTED
        recover_abandoned_jobs(queues, at=time.time() + 24 * 3600)
    state, _stage, _progress, tried, code = row(session_factory, rq_id)
    assert (state, tried, code) == (JobState.FAILED, attempts, "WORKER_DIED")


def test_submit_with_redis_down_leaves_a_failed_row_not_a_stuck_one(
    session_factory: sessionmaker[Session],
) -> None:
    dead_redis = connect("redis://127.0.0.1:1/0", timeout=0.5)
    with pytest.raises(QueueUnavailableError) as raised:
        submit(session_factory, Queues(dead_redis), ping_job(policy()))
    assert raised.value.code == "QUEUE_UNAVAILABLE"
    with transaction(session_factory) as session:
        (job,) = job_rows.recent_jobs(session)
        assert (job.state, job.error_code) == (JobState.FAILED, "QUEUE_UNAVAILABLE")
