"""The jobs table against RQ: rows whose RQ job is gone are enqueued again (or failed with a
reason), rows whose job ended unseen are brought up to date, young rows are left alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from redis import Redis
from rq import Queue
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import BlobStore, connect, held
from palm.jobs import DEFAULT_QUEUE, Queues
from palm.jobs import rows as job_rows
from palm.models import Job, Reading, utcnow
from palm.ops import reconcile, submit_ping
from palm.ops.reconciler import LOCK
from palm.readings import Upload, submit_batch
from palm.settings import Settings
from palm.vocabulary import JobState, ReadingStatus
from tests.support.jobs import policy
from tests.support.photos import LIMITS, photo
from tests.workers.burst import run_burst_worker

SETTINGS = Settings()


def age(factory: sessionmaker[Session], rq_id: str, *, attempts: int | None = None) -> None:
    """Make a row look a minute old (past the reconciler's grace), optionally much retried."""
    values: dict[str, object] = {"enqueued_at": utcnow() - timedelta(minutes=1)}
    if attempts is not None:
        values["attempts"] = attempts
    with transaction(factory) as session:
        session.execute(update(Job).where(Job.rq_id == rq_id).values(**values))


def job_row(factory: sessionmaker[Session], rq_id: str) -> tuple[str, str | None]:
    with transaction(factory) as session:
        job = job_rows.get_job(session, rq_id)
        return job.state, job.error_code


def test_a_job_redis_lost_is_enqueued_again_under_its_id_and_completes(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    queues = Queues(redis_client)
    rq_id = submit_ping(session_factory, queues, policy(), None)
    age(session_factory, rq_id)
    redis_client.flushdb()  # a Redis restarted without its data

    found = reconcile(session_factory, queues, SETTINGS)
    assert (found.requeued, found.failed) == ([rq_id], [])
    assert Queue(DEFAULT_QUEUE, connection=redis_client).job_ids == [rq_id]
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
    assert job_row(session_factory, rq_id) == (JobState.FINISHED, None)


def test_a_lost_job_past_its_budget_fails_and_its_reading_says_why(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[[str], int],
) -> None:
    queues = Queues(redis_client)
    batch = submit_batch(
        session_factory,
        queues,
        store,
        user_id=make_account("ana@example.com"),
        uploads=[Upload("palm.jpg", photo("palm_f_hanging.jpg"))],
        analysis_types=["love"],
        limits=LIMITS,
    )
    with transaction(session_factory) as session:
        rq_id = session.query(Job.rq_id).filter(Job.reading_id == batch.reading_ids[0]).scalar()
    age(session_factory, rq_id, attempts=99)
    redis_client.flushdb()

    found = reconcile(session_factory, queues, SETTINGS)
    assert found.failed == [rq_id]
    assert job_row(session_factory, rq_id) == (JobState.FAILED, "JOB_LOST")
    with transaction(session_factory) as session:
        reading = session.get_one(Reading, batch.reading_ids[0])
        assert (reading.status, reading.error_code) == (ReadingStatus.FAILED, "JOB_LOST")
        assert reading.error_message is not None and "restart" in reading.error_message


def test_a_row_younger_than_the_grace_is_left_alone(
    session_factory: sessionmaker[Session], redis_client: Redis
) -> None:
    queues = Queues(redis_client)
    rq_id = submit_ping(session_factory, queues, policy(), None)
    redis_client.flushdb()  # as if we looked between its commit and its enqueue
    assert reconcile(session_factory, queues, SETTINGS).requeued == []
    assert job_row(session_factory, rq_id) == (JobState.QUEUED, None)


def test_a_job_that_finished_unseen_is_brought_up_to_date(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    queues = Queues(redis_client)
    rq_id = submit_ping(session_factory, queues, policy(), None)
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
    with transaction(session_factory) as session:  # the row update that never landed
        session.execute(update(Job).where(Job.rq_id == rq_id).values(state=JobState.STARTED))
    age(session_factory, rq_id)
    assert reconcile(session_factory, queues, SETTINGS).settled == [rq_id]
    assert job_row(session_factory, rq_id)[0] == JobState.FINISHED


def test_only_one_process_reconciles_at_a_time(
    session_factory: sessionmaker[Session], redis_client: Redis
) -> None:
    queues = Queues(redis_client)
    rq_id = submit_ping(session_factory, queues, policy(), None)
    age(session_factory, rq_id)
    redis_client.flushdb()
    with held(redis_client, LOCK, seconds=30) as mine:
        assert mine
        assert reconcile(session_factory, queues, SETTINGS).requeued == []
    assert reconcile(session_factory, queues, SETTINGS).requeued == [rq_id]


def test_with_redis_down_it_does_nothing_and_raises_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    found = reconcile(
        session_factory, Queues(connect("redis://127.0.0.1:1/0", timeout=0.3)), SETTINGS
    )
    assert (found.requeued, found.failed, found.settled) == ([], [], [])


def test_a_queued_job_taken_off_its_queue_as_redis_went_away_is_enqueued_again(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    queues = Queues(redis_client)
    rq_id = submit_ping(session_factory, queues, policy(), None)
    waiting = Queue(DEFAULT_QUEUE, connection=redis_client)
    assert reconcile(session_factory, queues, SETTINGS).requeued == []  # young, and queued
    age(session_factory, rq_id)
    assert reconcile(session_factory, queues, SETTINGS).requeued == []  # still on its queue
    redis_client.lrem(waiting.key, 0, rq_id)  # popped, and the worker's connection died

    found = reconcile(session_factory, queues, SETTINGS)
    assert (found.requeued, found.failed) == ([rq_id], [])
    assert waiting.job_ids == [rq_id]
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
    assert job_row(session_factory, rq_id) == (JobState.FINISHED, None)
