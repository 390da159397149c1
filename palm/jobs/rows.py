"""The jobs table: the database's record of every queued job and how far it got.

Generic: what a job's state means for the rows it works on (a reading) is the feature's business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.errors import PalmError
from palm.models import Job, utcnow
from palm.vocabulary import TERMINAL_JOB_STATES, JobState


class JobNotFoundError(PalmError):
    def __init__(self, rq_id: str) -> None:
        super().__init__("JOB_NOT_FOUND", f"No job {rq_id} is known.")


def create_job(
    session: Session,
    *,
    rq_id: str,
    kind: str,
    queue: str,
    user_id: int | None = None,
    reading_id: int | None = None,
    batch_id: str | None = None,
    func: str | None = None,
    args: list[Any] | None = None,
) -> Job:
    job = Job(
        rq_id=rq_id,
        kind=kind,
        queue=queue,
        user_id=user_id,
        state=JobState.QUEUED,
        stage="queued",
        progress=0.0,
        attempts=0,
        reading_id=reading_id,
        batch_id=batch_id,
        func=func,
        args=args,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, rq_id: str) -> Job:
    job = session.scalar(select(Job).where(Job.rq_id == rq_id))
    if job is None:
        raise JobNotFoundError(rq_id)
    return job


def owned_job(session: Session, user_id: int, rq_id: str) -> Job:
    """The job if it is the user's; anyone else's id is simply not known."""
    job = session.scalar(select(Job).where(Job.rq_id == rq_id, Job.user_id == user_id))
    if job is None:
        raise JobNotFoundError(rq_id)
    return job


def mark_started(session: Session, rq_id: str) -> Job:
    """A worker picked the job up: one more attempt, error of a previous attempt cleared."""
    job = get_job(session, rq_id)
    job.state = JobState.STARTED
    job.stage = "started"
    job.attempts += 1
    job.started_at = utcnow()
    job.error_code = None
    job.error = None
    return job


def report_progress(session: Session, rq_id: str, stage: str, progress: float) -> Job:
    job = get_job(session, rq_id)
    job.stage = stage
    job.progress = min(max(progress, 0.0), 1.0)
    return job


def mark_finished(session: Session, rq_id: str) -> Job:
    job = get_job(session, rq_id)
    job.state = JobState.FINISHED
    job.stage = "done"
    job.progress = 1.0
    job.ended_at = utcnow()
    return job


def mark_failed(
    session: Session, rq_id: str, *, error_code: str, error: str, will_retry: bool
) -> Job:
    """Record a failed attempt: RETRYING while RQ still has retries left, else FAILED."""
    job = get_job(session, rq_id)
    job.state = JobState.RETRYING if will_retry else JobState.FAILED
    job.stage = "retrying" if will_retry else "failed"
    job.error_code = error_code
    job.error = error[:2000]
    if not will_retry:
        job.ended_at = utcnow()
    return job


def mark_refused(session: Session, rq_id: str, *, error_code: str, error: str) -> Job:
    """The job ended because its input cannot be used: final, never retried, not a failure."""
    job = get_job(session, rq_id)
    job.state = JobState.REFUSED
    job.stage = "refused"
    job.error_code = error_code
    job.error = error[:2000]
    job.ended_at = utcnow()
    return job


def open_jobs(session: Session, *, enqueued_before: datetime) -> list[Job]:
    """Rows that still say queued, started or retrying, oldest first (the reconciler's)."""
    states = (JobState.QUEUED, JobState.STARTED, JobState.RETRYING)
    query = (
        select(Job)
        .where(Job.state.in_(states), Job.enqueued_at < enqueued_before)
        .order_by(Job.enqueued_at, Job.id)
    )
    return list(session.scalars(query))


def mark_requeued(session: Session, rq_id: str) -> Job:
    """The job was enqueued again (it had been lost from Redis)."""
    job = get_job(session, rq_id)
    job.state = JobState.QUEUED
    job.stage = "queued"
    job.progress = 0.0
    return job


def count_by_state(session: Session) -> dict[str, int]:
    """Job counts per state, for the admin page."""
    rows = session.execute(select(Job.state, func.count()).group_by(Job.state))
    return {str(state): int(count) for state, count in rows}


def recent_jobs(session: Session, *, limit: int = 20) -> list[Job]:
    return list(session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def ended_jobs_of(
    session: Session, user_id: int, *, since: datetime | None = None, limit: int = 20
) -> list[Job]:
    """The person's jobs that finished, failed or were refused (after ``since``), newest
    first: what their notifications tell."""
    query = select(Job).where(
        Job.user_id == user_id,
        Job.state.in_([state.value for state in TERMINAL_JOB_STATES]),
        Job.ended_at.is_not(None),
    )
    if since is not None:
        query = query.where(Job.ended_at > since)
    return list(session.scalars(query.order_by(Job.ended_at.desc(), Job.id.desc()).limit(limit)))
