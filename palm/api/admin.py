"""/api/v1/admin: the operations console's queue and worker figures (palm.ops), for admins
with an ``admin``-scoped token."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from palm import ops
from palm.api.deps import Admin, RuntimeDep
from palm.api.problems import ApiError, responses
from palm.api.readings import PREFIX
from palm.db import transaction

router = APIRouter(prefix=PREFIX, tags=["admin"])


@router.get(
    "/admin/queues", summary="Queues: RQ registries, rates, waits", responses=responses(503)
)
def queues(owner: Admin, rt: RuntimeDep) -> ops.QueuesView:  # noqa: ARG001 (the admin check)
    """What the Admin page's Queues section shows: per queue the RQ registries, jobs per
    minute, wait and run p50/p95 of the last hour, and 24 h of hourly counts."""
    with transaction(rt.session_factory) as session:
        return ops.queues_view(session, rt.queues, now=datetime.now(UTC))


@router.get("/admin/workers", summary="Workers and their heartbeats", responses=responses(503))
def workers(owner: Admin, rt: RuntimeDep) -> list[ops.WorkerStatus]:  # noqa: ARG001
    if rt.redis is None:
        raise ApiError("QUEUE_UNAVAILABLE", "The job queue is not configured (REDIS_URL).")
    return ops.worker_statuses(rt.redis, now=datetime.now(UTC))
