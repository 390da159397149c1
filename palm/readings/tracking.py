"""How a reading follows its analysis job: running when a worker starts it, failed with words a
person can act on when it fails for good. The job row itself is palm.jobs' business."""

from __future__ import annotations

from sqlalchemy.orm import Session

from palm.models import Job
from palm.readings import store
from palm.vocabulary import JobFailure, JobState

FAILURE_MESSAGES: dict[str, str] = {
    JobFailure.WORKER_DIED: "The analysis stopped unexpectedly. Please try this photo again.",
    JobFailure.QUEUE_UNAVAILABLE: "The job queue was not reachable. Please try again in a moment.",
    JobFailure.SERVICE_ERROR: (
        "A server problem (the database or the job queue) stopped this analysis after several "
        "tries. Your photo is fine: please send it again in a few minutes."
    ),
    JobFailure.QUEUE_EMPTIED: (
        "This analysis was cancelled by an administrator before it started. "
        "Please send the photo again."
    ),
    JobFailure.JOB_LOST: (
        "This photo's analysis was lost in a restart and could not be resumed. "
        "Please send it again."
    ),
}


def follow_job_start(session: Session, job: Job) -> None:
    if job.reading_id is not None:
        store.mark_running(session, job.reading_id)


def follow_job_failure(session: Session, job: Job, user_message: str | None = None) -> list[str]:
    """A final failure or a refusal fails the reading too (with its reason); a failure RQ
    will retry leaves it running. A refused photo is let go: returns its files, for the
    caller to remove once the transaction committed."""
    if job.state not in (JobState.FAILED, JobState.REFUSED) or job.reading_id is None:
        return []
    code = job.error_code or JobFailure.JOB_ERROR
    store.mark_failed(session, job.reading_id, code, user_message or failure_message(code))
    if job.state == JobState.REFUSED:
        return store.release_refused_photo(session, job.reading_id)
    return []


def failure_message(error_code: str) -> str:
    """What a person sees when a job failed for a reason that is not about their photo."""
    return FAILURE_MESSAGES.get(
        error_code, "Something went wrong while analysing this photo. Please try again."
    )
