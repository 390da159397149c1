"""The dead-letter view: a job a real worker failed shows with its code, message, traceback,
attempts and reading; requeued it runs again, deleted it is gone; both are audited."""

from __future__ import annotations

from pathlib import Path

from redis import Redis
from rq.job import Job as RQJob
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import AuditAction
from palm.jobs import DEFAULT_QUEUE, JobSpec, Queues, get_job, submit
from palm.models import AuditEvent
from palm.ops import (
    delete_all_failed,
    delete_failed,
    failed_jobs,
    registries,
    requeue_all_failed,
    requeue_failed,
)
from palm.vocabulary import JobFailure, JobState
from tests.support.jobs import policy
from tests.workers.burst import run_burst_worker

FAILING = "tests.ops.console_jobs.fail_until_marked"


def submit_failing(factory: sessionmaker[Session], redis: Redis, marker: Path) -> str:
    spec = JobSpec(kind="test", func=FAILING, policy=policy(), args=(str(marker),))
    return submit(factory, Queues(redis), spec)


def audit_actions(factory: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with transaction(factory) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.actor, e.action, e.target) for e in events]


def test_a_failed_job_is_listed_and_requeue_runs_it_again(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    marker = tmp_path / "marker"
    rq_id = submit_failing(session_factory, redis_client, marker)
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
    queues = Queues(redis_client)
    with transaction(session_factory) as session:
        [failed] = failed_jobs(session, queues)
    assert failed.rq_id == rq_id and failed.queue == DEFAULT_QUEUE
    assert failed.error_code == JobFailure.JOB_ERROR
    message, location = failed.message.split("\nat ")
    assert message == "RuntimeError: the marker file is missing"
    assert location.startswith("tests/ops/console_jobs.py:")
    assert "Traceback" in failed.traceback and "fail_until_marked" in failed.traceback
    assert failed.attempts == 1 and failed.failed_at is not None

    marker.write_text("now it can run")
    with transaction(session_factory) as session:
        assert requeue_failed(session, queues, rq_id, actor="admin@example.com")
    with transaction(session_factory) as session:
        assert get_job(session, rq_id).state == JobState.QUEUED
        assert failed_jobs(session, queues) == []
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
    with transaction(session_factory) as session:
        row = get_job(session, rq_id)
        assert (row.state, row.attempts, row.error_code) == (JobState.FINISHED, 2, None)
    assert ("admin@example.com", AuditAction.JOB_REQUEUED, f"job:{rq_id}") in audit_actions(
        session_factory
    )


def test_delete_removes_the_job_from_rq_but_keeps_its_row(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    ids = [submit_failing(session_factory, redis_client, tmp_path / "never") for _ in range(3)]
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
    queues = Queues(redis_client)
    with transaction(session_factory) as session:
        assert {f.rq_id for f in failed_jobs(session, queues)} == set(ids)
        assert delete_failed(session, queues, ids[0], actor="admin@example.com")
        assert not delete_failed(session, queues, ids[0], actor="admin@example.com")
    assert not RQJob.exists(ids[0], connection=redis_client)
    with transaction(session_factory) as session:
        assert get_job(session, ids[0]).state == JobState.FAILED  # the record stays
        assert requeue_all_failed(session, queues, actor="admin@example.com") == 2
    assert {r.queue: r.failed for r in registries(queues)}[DEFAULT_QUEUE] == 0
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0  # fail again
    with transaction(session_factory) as session:
        assert delete_all_failed(session, queues, actor="admin@example.com") == 2
        assert failed_jobs(session, queues) == []
    actions = [action for _, action, _ in audit_actions(session_factory)]
    assert actions.count(AuditAction.JOB_DELETED) == 3
    assert actions.count(AuditAction.JOB_REQUEUED) == 2
