"""Emptying a queue on a real Redis: its waiting jobs leave RQ, their rows and readings say
failed with the reason (none stays queued), other queues are untouched, and it is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from redis import Redis
from rq.job import Job as RQJob
from rq.job import JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import AuditAction
from palm.jobs import ANALYSIS_QUEUE, DEFAULT_QUEUE, JobSpec, Queues, get_job, submit
from palm.models import AuditEvent, Reading
from palm.ops import empty_queue
from palm.readings import failure_message
from palm.vocabulary import JobFailure, JobState, ReadingStatus
from tests.explore.data import ReadingSpec, add_reading
from tests.support.jobs import policy

PING = "palm.ops.system.ping_job"


def queued(
    factory: sessionmaker[Session], redis: Redis, queue: str, reading_id: int | None = None
) -> str:
    spec = JobSpec(kind="test", func=PING, policy=policy(), queue=queue)
    return submit(factory, Queues(redis), spec, reading_id=reading_id)


def test_emptying_a_queue_fails_its_waiting_jobs_and_their_readings(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    make_account: Callable[..., int],
) -> None:
    ana = make_account("ana@example.com")
    with transaction(session_factory) as session:
        reading_id = add_reading(session, ReadingSpec(user_id=ana, status="queued"))
    waiting = [
        queued(session_factory, redis_client, ANALYSIS_QUEUE, reading_id),
        queued(session_factory, redis_client, ANALYSIS_QUEUE),
    ]
    other = queued(session_factory, redis_client, DEFAULT_QUEUE)
    queues = Queues(redis_client)
    with transaction(session_factory) as session:
        assert empty_queue(session, queues, ANALYSIS_QUEUE, actor="root@example.com") == 2
    assert queues.get(ANALYSIS_QUEUE).count == 0
    assert queues.get(DEFAULT_QUEUE).get_job_ids() == [other]
    for rq_id in waiting:
        assert RQJob.fetch(rq_id, connection=redis_client).get_status() == JobStatus.CANCELED
    with transaction(session_factory) as session:
        for rq_id in waiting:
            row = get_job(session, rq_id)
            assert (row.state, row.error_code) == (JobState.FAILED, JobFailure.QUEUE_EMPTIED)
            assert row.ended_at is not None
        assert get_job(session, other).state == JobState.QUEUED
        reading = session.get_one(Reading, reading_id)
        assert (reading.status, reading.error_code) == (
            ReadingStatus.FAILED,
            JobFailure.QUEUE_EMPTIED,
        )
        assert reading.error_message == failure_message(JobFailure.QUEUE_EMPTIED)
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.QUEUE_EMPTIED)
        )
    assert (event.actor, event.target, event.detail) == (
        "root@example.com",
        f"queue:{ANALYSIS_QUEUE}",
        "jobs=2",
    )


def test_an_empty_queue_empties_to_nothing_and_an_unknown_one_is_refused(
    session_factory: sessionmaker[Session], redis_client: Redis
) -> None:
    queues = Queues(redis_client)
    with transaction(session_factory) as session:
        assert empty_queue(session, queues, DEFAULT_QUEUE, actor="root") == 0
        with pytest.raises(ValueError, match="unknown queue"):
            empty_queue(session, queues, "nope", actor="root")
