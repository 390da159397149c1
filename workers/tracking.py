"""Mirror an RQ job's life into its jobs row: started, progress, finished, failed/retrying."""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, TypeVar

from rq import get_current_job
from rq.job import Job as RQJob

from palm.db import transaction
from palm.errors import PalmError
from palm.services import jobs as job_rows
from workers.runtime import session_factory

R = TypeVar("R")


class ProgressReporter(Protocol):
    def __call__(self, stage: str, progress: float) -> None: ...


def report(rq_job: RQJob, stage: str, progress: float) -> None:
    """Write progress to the jobs row (what pages read) and to job.meta (what `rq info` shows)."""
    with transaction(session_factory()) as session:
        job_rows.report_progress(session, rq_job.id, stage, progress)
    rq_job.meta.update(stage=stage, progress=progress)
    rq_job.save_meta()  # type: ignore[no-untyped-call]


def will_retry(rq_job: RQJob) -> bool:
    return bool(rq_job.retries_left and rq_job.retries_left > 0)


def record_failure(rq_id: str, error_code: str, error: str, retrying: bool,
                   user_message: str | None = None) -> None:
    with transaction(session_factory()) as session:
        job_rows.mark_failed(session, rq_id, error_code=error_code, error=error,
                             will_retry=retrying, user_message=user_message)


def tracked(func: Callable[..., R]) -> Callable[..., R | None]:
    """Wrap a job function: it receives a `progress` reporter as keyword and is mirrored.

    A non-retryable PalmError (say, a photo of the back of a hand) ends the job at once: the
    row and its reading record the code and message, and RQ sees a finished job, not a retry.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> R | None:
        rq_job = get_current_job()
        if rq_job is None:
            raise RuntimeError(f"{func.__name__} must run inside an RQ worker")
        with transaction(session_factory()) as session:
            job_rows.mark_started(session, rq_job.id)
        try:
            result = func(*args, progress=functools.partial(report, rq_job), **kwargs)
        except PalmError as error:
            if error.retryable:
                raise
            record_failure(rq_job.id, error.code, str(error), False, error.message)
            return None
        with transaction(session_factory()) as session:
            job_rows.mark_finished(session, rq_job.id)
        return result

    return wrapper


def on_job_failure(rq_job: RQJob, _connection: Any, exc_type: type[BaseException] | None,
                   exc_value: BaseException | None, _tb: TracebackType | None) -> None:
    """RQ failure callback (set at enqueue): the row keeps the coded reason."""
    code = exc_value.code if isinstance(exc_value, PalmError) else "JOB_ERROR"
    name = exc_type.__name__ if exc_type else "Error"
    record_failure(rq_job.id, code, f"{name}: {exc_value}", will_retry(rq_job))
