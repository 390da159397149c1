"""/api/v1/jobs and the progress streams of a job or a batch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from palm import jobs, readings
from palm.api.deps import Reader, RuntimeDep
from palm.api.events import SSE_RESPONSE, Snapshot, stream
from palm.api.problems import ApiError, responses
from palm.api.readings import PREFIX
from palm.api.schemas import JobOut
from palm.db import transaction
from palm.models import Job
from palm.runtime import Runtime
from palm.vocabulary import SETTLED_STATUSES, TERMINAL_JOB_STATES

router = APIRouter(prefix=PREFIX, tags=["jobs"])
JobId = Annotated[str, Path(max_length=64)]
BatchId = Annotated[str, Path(max_length=32)]


def _job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.rq_id,
        kind=job.kind,
        state=job.state,
        stage=job.stage,
        progress=job.progress,
        attempts=job.attempts,
        error_code=job.error_code,
        error=job.error,
        reading_id=job.reading_id,
        batch_id=job.batch_id,
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        ended_at=job.ended_at,
        events=f"{PREFIX}/jobs/{job.rq_id}/events",
    )


def _job(rt: Runtime, user_id: int, job_id: str) -> JobOut:
    with transaction(rt.session_factory) as session:
        return _job_out(jobs.owned_job(session, user_id, job_id))


@router.get("/jobs/{job_id}", summary="A job's state", responses=responses(401, 403, 404))
def get_job(owner: Reader, rt: RuntimeDep, job_id: JobId) -> JobOut:
    return _job(rt, owner.user_id, job_id)


def job_snapshot(rt: Runtime, user_id: int, job_id: str) -> Snapshot:
    """A job's position: its attempt, then its progress in hundredths, then its end."""
    job = _job(rt, user_id, job_id)
    final = job.state in TERMINAL_JOB_STATES
    position = job.attempts * 1000 + round(job.progress * 100) + (1 if final else 0)
    return Snapshot(position, job.model_dump(mode="json"), final)


@router.get(
    "/jobs/{job_id}/events",
    summary="A job's progress as Server-Sent Events",
    response_class=StreamingResponse,
    responses={**SSE_RESPONSE, **responses(401, 403, 404)},
)
def job_events(owner: Reader, rt: RuntimeDep, request: Request, job_id: JobId) -> StreamingResponse:
    """``progress`` events (stage and percent), then one ``end``; send ``Last-Event-ID``
    after a cut to resume."""
    return stream(request, lambda: job_snapshot(rt, owner.user_id, job_id))


def batch_snapshot(rt: Runtime, user_id: int, batch_id: str) -> Snapshot:
    """A batch's position: the sum of its photos' progress in hundredths and ends."""
    with transaction(rt.session_factory) as session:
        items = readings.batch_progress(session, user_id, batch_id)
    if not items:
        raise ApiError("BATCH_NOT_FOUND", "That batch does not exist or is not yours.")
    settled = [item.status in SETTLED_STATUSES for item in items]
    position = sum(round(item.progress * 100) for item in items) + sum(settled)
    data = {
        "batch_id": batch_id,
        "finished": sum(settled),
        "total": len(items),
        "items": [vars(item) for item in items],
    }
    return Snapshot(position, data, all(settled))


@router.get(
    "/batches/{batch_id}/events",
    summary="A batch's progress as Server-Sent Events",
    response_class=StreamingResponse,
    responses={**SSE_RESPONSE, **responses(401, 403, 404)},
)
def batch_events(
    owner: Reader, rt: RuntimeDep, request: Request, batch_id: BatchId
) -> StreamingResponse:
    return stream(request, lambda: batch_snapshot(rt, owner.user_id, batch_id))
