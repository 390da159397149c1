"""Mirror an RQ job's life into its jobs row: started, progress, finished, failed/retrying."""

from __future__ import annotations

import functools
import logging
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from redis.exceptions import RedisError
from rq import get_current_job
from rq.exceptions import AbandonedJobError
from rq.job import Job as RQJob
from sqlalchemy.exc import SQLAlchemyError

from palm import jobs, webhooks
from palm.db import transaction
from palm.errors import PalmError
from palm.explore import pseudonym
from palm.jobs import record_worker_death
from palm.ops import with_location
from palm.readings import follow_job_failure, follow_job_start
from palm.runtime import get_runtime
from palm.vocabulary import JobFailure, JobState

R = TypeVar("R")
log = logging.getLogger(__name__)
#: Failures of the services a job stands on (not of the photo): retried, and worded as such.
SERVICE_ERRORS = (RedisError, SQLAlchemyError, OSError)


ROW_WRITE_INTERVAL = 0.5  # seconds; pages poll once a second, so finer writes only cost time
META_WRITE_INTERVAL = 0.1  # seconds; `rq info` and the console read job.meta, no faster


class ProgressWriter:
    """Reports a job's stage to job.meta (what `rq info` shows) at most every
    META_WRITE_INTERVAL and to the jobs row (what pages read) at most every
    ROW_WRITE_INTERVAL: a photo passes six stages in ~250 ms, and a commit per stage was a
    fifth of the queue's overhead, a Redis write per stage another 1–2 % (bench/pipeline.py).

    Best-effort: a progress bar that stalls is better than an analysis that fails, so a Redis
    or database error here is logged and the work goes on.
    """

    def __init__(self, rq_job: RQJob) -> None:
        self.rq_job = rq_job
        self.last_row_write = time.monotonic()
        self.last_meta_write = float("-inf")  # the first stage is shown at once

    def __call__(self, stage: str, progress: float) -> None:
        try:
            self._write(stage, progress)
        except SERVICE_ERRORS as error:
            log.warning("progress of job %s not recorded (%s): %s", self.rq_job.id, stage, error)

    def _write(self, stage: str, progress: float) -> None:
        self.rq_job.meta.update(stage=stage, progress=progress)
        if time.monotonic() - self.last_meta_write >= META_WRITE_INTERVAL:
            self.rq_job.save_meta()  # type: ignore[no-untyped-call]
            self.last_meta_write = time.monotonic()
        if time.monotonic() - self.last_row_write >= ROW_WRITE_INTERVAL:
            with transaction(get_runtime().session_factory) as session:
                jobs.report_progress(session, self.rq_job.id, stage, progress)
            self.last_row_write = time.monotonic()


def will_retry(rq_job: RQJob) -> bool:
    return bool(rq_job.retries_left and rq_job.retries_left > 0)


def record_failure(
    rq_id: str, error_code: str, error: str, retrying: bool, user_message: str | None = None
) -> None:
    with transaction(get_runtime().session_factory) as session:
        job = jobs.mark_failed(
            session, rq_id, error_code=error_code, error=error, will_retry=retrying
        )
        follow_job_failure(session, job, user_message)
        final = job.state == JobState.FAILED
        reading_id = job.reading_id if final else None
        failed = {"job_id": rq_id, "kind": job.kind, "queue": job.queue, "error_code": error_code}
    if reading_id is not None:
        announce_reading(reading_id)
    if final and failed["kind"] != "webhook":  # a failed delivery is in its own log, not a loop
        announce_system("system.job_failed", failed)


def record_refusal(rq_id: str, error: PalmError) -> None:
    runtime = get_runtime()
    with transaction(runtime.session_factory) as session:
        job = jobs.mark_refused(session, rq_id, error_code=error.code, error=str(error))
        unused = follow_job_failure(session, job, error.message)
        reading_id = job.reading_id
    for key in unused:  # committed: the refused photo's files go too
        runtime.blob_store.delete(key)
    if reading_id is not None:
        announce_reading(reading_id)


def announce_reading(reading_id: int) -> None:
    """Webhooks for a reading that settled; best effort: never fails the job itself."""
    runtime = get_runtime()
    if runtime.queues is None:
        return
    try:
        policy = jobs.webhook_policy(runtime.settings)
        webhooks.reading_settled(runtime.session_factory, runtime.queues, policy, reading_id)
    except (PalmError, RedisError, SQLAlchemyError, OSError):
        log.exception("webhooks for reading %s could not be queued", reading_id)


def announce_system(event: str, data: dict[str, Any]) -> None:
    """Webhooks for a system event to the admins who asked; best effort, like the others."""
    runtime = get_runtime()
    if runtime.queues is None:
        return
    try:
        policy = jobs.webhook_policy(runtime.settings)
        webhooks.system_event(runtime.session_factory, runtime.queues, policy, event, data)
    except (PalmError, RedisError, SQLAlchemyError, OSError):
        log.exception("webhooks for %s could not be queued", event)


def announce_export(user_id: int) -> None:
    runtime = get_runtime()
    if runtime.queues is None:
        return
    try:
        policy = jobs.webhook_policy(runtime.settings)
        webhooks.export_ready(runtime.session_factory, runtime.queues, policy, user_id)
    except (PalmError, RedisError, SQLAlchemyError, OSError):
        log.exception("webhooks for the export of %s could not be queued", user_id)


def _context(rq_id: str, kind: str, queue: str, user_id: int | None) -> dict[str, Any]:
    """What a job's log lines carry: ids and a pseudonym, never the person's e-mail."""
    secret = get_runtime().pseudonym_secret
    user = pseudonym(user_id, secret) if user_id is not None else None
    return {"job_id": rq_id, "kind": kind, "queue": queue, "user": user, "action": "job"}


def _log_end(context: dict[str, Any], started: float, outcome: str, code: str | None) -> None:
    duration = round((time.perf_counter() - started) * 1000, 1)
    extra = {**context, "outcome": outcome, "code": code, "duration_ms": duration}
    log.info("job %s %s", context["kind"], outcome, extra=extra)


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
        runtime = get_runtime()
        with transaction(runtime.session_factory) as session:
            row = jobs.mark_started(session, rq_job.id)
            follow_job_start(session, row)
            context = _context(row.rq_id, row.kind, row.queue, row.user_id)
        started = time.perf_counter()
        try:
            result = func(*args, progress=ProgressWriter(rq_job), **kwargs)
        except PalmError as error:
            if error.retryable:
                _log_end(context, started, "failed", error.code)
                raise
            record_refusal(rq_job.id, error)
            _log_end(context, started, "refused", error.code)
            return None
        except Exception as error:
            _log_end(context, started, "failed", type(error).__name__)
            raise
        with transaction(runtime.session_factory) as session:
            jobs.mark_finished(session, rq_job.id)
        _log_end(context, started, "finished", None)
        return result

    return wrapper


def _count_death(rq_job: RQJob) -> None:
    """The heartbeat-lapse recovery found a dead worker: count it (once per worker)."""
    if not rq_job.worker_name:
        return
    try:
        first = record_worker_death(rq_job.connection, rq_job.worker_name, now=time.time())
    except (RedisError, OSError) as error:
        log.warning("death of worker %s not counted: %s", rq_job.worker_name, error)
        return
    if first:  # once per worker, however many of its jobs are found abandoned
        announce_system("system.worker_died", {"worker": rq_job.worker_name, "job_id": rq_job.id})


def on_job_failure(
    rq_job: RQJob,
    _connection: Any,
    exc_type: type[BaseException] | None,
    exc_value: BaseException | None,
    tb: TracebackType | None,
) -> None:
    """RQ failure callback (set at enqueue): the row keeps the coded reason."""
    if isinstance(exc_value, PalmError):
        code = exc_value.code
    elif isinstance(exc_value, AbandonedJobError):
        code = JobFailure.WORKER_DIED  # found by registry maintenance after its worker was killed
        _count_death(rq_job)
    elif isinstance(exc_value, SERVICE_ERRORS):
        code = JobFailure.SERVICE_ERROR
    else:
        code = JobFailure.JOB_ERROR
    name = exc_type.__name__ if exc_type else "Error"
    message = f"{name}: {exc_value}"
    if code == JobFailure.JOB_ERROR and exc_value is not None:  # grouped by where it broke
        text = "".join(traceback.format_exception(type(exc_value), exc_value, tb))
        message = with_location(message, text)
    record_failure(rq_job.id, code, message, will_retry(rq_job))
