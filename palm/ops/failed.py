"""The dead-letter view: jobs RQ gave up on (its failed registries), with what the jobs table
knows about them, and the admin's two remedies — run again, or throw away — each audited.

These functions take a Session for the rows and the audit events and never commit; the RQ
side (requeue, delete) happens at once, so the caller commits right after.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm import jobs
from palm.infra import AuditAction, Outcome, record
from palm.models import Job

MAX_TRACEBACK = 8000


@dataclass(frozen=True)
class FailedJob:
    rq_id: str
    queue: str
    kind: str
    error_code: str
    message: str
    traceback: str
    attempts: int
    reading_id: int | None
    failed_at: datetime | None


def _traceback(rq_job: RQJob | None) -> str:
    if rq_job is None:
        return ""
    result = rq_job.latest_result()
    text = result.exc_string if result is not None else None
    return str(text or "")[-MAX_TRACEBACK:]  # the end says where it broke


def failed_jobs(session: Session, queues: jobs.Queues, *, limit: int = 200) -> list[FailedJob]:
    """Newest failures first, across the queues."""
    found: list[tuple[str, str]] = []
    for queue in queues.all():
        ids = queue.failed_job_registry.get_job_ids(0, limit - 1, desc=True)
        found.extend((queue.name, rq_id) for rq_id in ids)
    rows = {
        row.rq_id: row
        for row in session.scalars(select(Job).where(Job.rq_id.in_([i for _, i in found])))
    }
    failures = []
    for queue_name, rq_id in found[:limit]:
        try:
            rq_job: RQJob | None = RQJob.fetch(rq_id, connection=queues.redis)
        except NoSuchJobError:
            rq_job = None
        row = rows.get(rq_id)
        failures.append(
            FailedJob(
                rq_id=rq_id,
                queue=queue_name,
                kind=row.kind if row else str(rq_job.meta.get("kind", "")) if rq_job else "",
                error_code=(row.error_code or "") if row else "",
                message=(row.error or "") if row else "",
                traceback=_traceback(rq_job),
                attempts=row.attempts if row else 0,
                reading_id=row.reading_id if row else None,
                failed_at=row.ended_at if row else (rq_job.ended_at if rq_job else None),
            )
        )
    failures.sort(key=lambda f: f.failed_at.timestamp() if f.failed_at else 0.0, reverse=True)
    return failures


def _registry_of(queues: jobs.Queues, rq_id: str) -> str | None:
    for queue in queues.all():
        if rq_id in queue.failed_job_registry:
            return queue.name
    return None


def requeue_failed(session: Session, queues: jobs.Queues, rq_id: str, *, actor: str) -> bool:
    """Put one failed job back on its queue (its row says queued again); False if RQ no
    longer holds it as failed."""
    name = _registry_of(queues, rq_id)
    if name is None:
        return False
    queues.get(name).failed_job_registry.requeue(rq_id)
    with contextlib.suppress(jobs.JobNotFoundError):  # enqueued outside the jobs table
        jobs.mark_requeued(session, rq_id)
    record(
        session,
        actor=actor,
        action=AuditAction.JOB_REQUEUED,
        outcome=Outcome.OK,
        target=f"job:{rq_id}",
        detail=f"queue={name}",
    )
    return True


def delete_failed(session: Session, queues: jobs.Queues, rq_id: str, *, actor: str) -> bool:
    """Remove one failed job from RQ for good; its row stays as the record of what failed."""
    name = _registry_of(queues, rq_id)
    if name is None:
        return False
    queues.get(name).failed_job_registry.remove(rq_id, delete_job=True)
    record(
        session,
        actor=actor,
        action=AuditAction.JOB_DELETED,
        outcome=Outcome.OK,
        target=f"job:{rq_id}",
        detail=f"queue={name}",
    )
    return True


def _all_failed_ids(queues: jobs.Queues) -> list[str]:
    return [rq_id for queue in queues.all() for rq_id in queue.failed_job_registry.get_job_ids()]


def requeue_all_failed(session: Session, queues: jobs.Queues, *, actor: str) -> int:
    return sum(requeue_failed(session, queues, i, actor=actor) for i in _all_failed_ids(queues))


def delete_all_failed(session: Session, queues: jobs.Queues, *, actor: str) -> int:
    return sum(delete_failed(session, queues, i, actor=actor) for i in _all_failed_ids(queues))
