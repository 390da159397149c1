"""How a reading follows its analysis job: running when a worker starts it, failed with words a
person can act on when it fails for good. The job row itself is palm.jobs' business."""

from __future__ import annotations

from sqlalchemy.orm import Session

from palm.models import Job
from palm.readings import store
from palm.vocabulary import JobState


def follow_job_start(session: Session, job: Job) -> None:
    if job.reading_id is not None:
        store.mark_running(session, job.reading_id)


def follow_job_failure(session: Session, job: Job, user_message: str | None = None) -> None:
    """A final failure or a refusal fails the reading too (with its reason); a failure RQ
    will retry leaves it running."""
    if job.state in (JobState.FAILED, JobState.REFUSED) and job.reading_id is not None:
        code = job.error_code or "JOB_ERROR"
        store.mark_failed(session, job.reading_id, code, user_message or failure_message(code))


def failure_message(error_code: str) -> str:
    """What a person sees when a job failed for a reason that is not about their photo."""
    if error_code == "WORKER_DIED":
        return "The analysis stopped unexpectedly. Please try this photo again."
    if error_code == "QUEUE_UNAVAILABLE":
        return "The job queue was not reachable. Please try again in a moment."
    return "Something went wrong while analysing this photo. Please try again."
