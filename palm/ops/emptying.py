"""Emptying one RQ queue: its waiting jobs are taken off and cancelled, and their rows (and
readings) say failed, with the reason, so nothing is left "queued" forever; audited.

A job is only counted when this call took it off the list (LREM answered 1): one a worker
dequeued meanwhile runs as usual. The RQ job is cancelled, not deleted, so the reconciler
never takes its row for one whose job Redis lost and enqueues it again before the commit.
Takes a Session for the rows and the audit event and never commits; the RQ side happens
at once, so the caller commits right after.
"""

from __future__ import annotations

import contextlib

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy.orm import Session

from palm import jobs
from palm.infra import AuditAction, Outcome, record
from palm.readings import follow_job_failure
from palm.vocabulary import JobFailure


def empty_queue(session: Session, queues: jobs.Queues, name: str, *, actor: str) -> int:
    """Take every waiting job off queue ``name``; how many were taken (ValueError for an
    unknown queue)."""
    queue = queues.get(name)
    emptied = 0
    for rq_id in queue.get_job_ids():
        if not queue.remove(rq_id):
            continue  # a worker took it first
        emptied += 1
        with contextlib.suppress(NoSuchJobError, InvalidJobOperation):
            RQJob.fetch(rq_id, connection=queues.redis).cancel()
        with contextlib.suppress(jobs.JobNotFoundError):  # enqueued outside the jobs table
            row = jobs.mark_failed(
                session,
                rq_id,
                error_code=JobFailure.QUEUE_EMPTIED,
                error=f"taken off the {name} queue by an admin before it started",
                will_retry=False,
            )
            follow_job_failure(session, row)
    record(
        session,
        actor=actor,
        action=AuditAction.QUEUE_EMPTIED,
        outcome=Outcome.OK,
        target=f"queue:{name}",
        detail=f"jobs={emptied}",
    )
    return emptied
