"""The jobs table against RQ: a row that still says queued, started or retrying while Redis no
longer knows its job (a Redis restart without its data, a flush) is enqueued again under the
same id, or, when it cannot be, failed with a reason a person can read; so is a job RQ
still calls queued that sits in no queue (taken off it as Redis went away). Rows whose RQ job
ended without telling us (a callback that never ran) get the ending RQ recorded.

Runs once when the launcher starts and then on every worker's maintenance (one at a time:
a short Redis lock), so lost work is found within about a minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus
from sqlalchemy.orm import Session, sessionmaker

from palm import jobs
from palm.db import transaction
from palm.infra import held
from palm.models import Job, utcnow
from palm.readings import follow_job_failure
from palm.settings import Settings
from palm.vocabulary import JobFailure

LOCK = "palm:reconcile-lock"
GRACE = timedelta(seconds=30)  # a row this young may be between its commit and its enqueue
MAX_REQUEUES = 3


@dataclass
class Reconciled:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)


def _rq_status(queues: jobs.Queues, rq_id: str) -> JobStatus | None:
    try:
        return RQJob.fetch(rq_id, connection=queues.redis).get_status(refresh=False)
    except NoSuchJobError:
        return None


def _stranded(queues: jobs.Queues, row: Job) -> bool:
    """A job RQ still calls queued that sits in no queue, nor on its way to a worker: taken
    off the queue just as Redis went away, it would wait forever. Its status is read again
    after the lists: a worker that took it meanwhile has marked it started (or done)."""
    queue = Queue(row.queue, connection=queues.redis)
    waiting = queues.redis.lpos(queue.key, row.rq_id) is not None
    handed = queues.redis.lpos(queue.intermediate_queue_key, row.rq_id) is not None
    if waiting or handed or row.rq_id in queue.started_job_registry:
        return False
    return _rq_status(queues, row.rq_id) == JobStatus.QUEUED


def _requeue(
    factory: sessionmaker[Session], queues: jobs.Queues, settings: Settings, row: Job
) -> bool:
    if not row.func or row.attempts >= MAX_REQUEUES + jobs.policy_for(row.kind, settings).retries:
        return False
    spec = jobs.JobSpec(
        kind=row.kind,
        func=row.func,
        policy=jobs.policy_for(row.kind, settings),
        args=tuple(row.args or ()),
        queue=row.queue,
    )
    jobs.enqueue(queues, spec, row.rq_id)
    with transaction(factory) as session:
        jobs.mark_requeued(session, row.rq_id)
    return True


def _fail(factory: sessionmaker[Session], rq_id: str, code: JobFailure, error: str) -> None:
    with transaction(factory) as session:
        job = jobs.mark_failed(session, rq_id, error_code=code, error=error, will_retry=False)
        follow_job_failure(session, job)


def reconcile(
    factory: sessionmaker[Session], queues: jobs.Queues, settings: Settings
) -> Reconciled:
    """One pass over the open rows (owns its transactions); does nothing while another
    process holds the lock."""
    done = Reconciled()
    try:
        with held(queues.redis, LOCK, seconds=60) as mine:
            if mine:
                _pass(factory, queues, settings, done)
    except (RedisError, OSError):
        pass  # Redis is down: nothing can be compared now; the next pass will
    return done


def _pass(
    factory: sessionmaker[Session], queues: jobs.Queues, settings: Settings, done: Reconciled
) -> None:
    with transaction(factory) as session:
        rows = jobs.open_jobs(session, enqueued_before=utcnow() - GRACE)
        session.expunge_all()
    for row in rows:
        status = _rq_status(queues, row.rq_id)
        if status is None or (status == JobStatus.QUEUED and _stranded(queues, row)):
            if _requeue(factory, queues, settings, row):
                done.requeued.append(row.rq_id)
            else:
                _fail(
                    factory,
                    row.rq_id,
                    JobFailure.JOB_LOST,
                    "the RQ job is gone and cannot be enqueued again",
                )
                done.failed.append(row.rq_id)
        elif status == JobStatus.FAILED:
            _fail(factory, row.rq_id, JobFailure.JOB_ERROR, "RQ recorded the job as failed")
            done.settled.append(row.rq_id)
        elif status == JobStatus.FINISHED:
            with transaction(factory) as session:
                jobs.mark_finished(session, row.rq_id)
            done.settled.append(row.rq_id)
