"""/api/v1/bulk-deletions: up to a thousand of my readings, by ids or by a History
filter, deleted by a job (progress on its event stream); ids that are not mine are reported
at once and left alone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from palm import jobs, readings
from palm.api.deps import RuntimeDep, Writer
from palm.api.problems import ApiError, responses
from palm.api.readings import PREFIX
from palm.db import transaction
from palm.explore import ExploreFilter, Viewer
from palm.runtime import Runtime
from palm.vocabulary import Role

router = APIRouter(prefix=PREFIX, tags=["readings"])


class BulkDelete(BaseModel):
    """Either ``reading_ids`` or ``filter`` (the History filter, over your own readings)."""

    reading_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        default=None, max_length=readings.MAX_BULK
    )
    filter: ExploreFilter | None = None

    @model_validator(mode="after")
    def _one_of(self) -> BulkDelete:
        if (self.reading_ids is None) == (self.filter is None):
            raise ValueError("send reading_ids or filter, not both and not neither")
        return self


class BulkAccepted(BaseModel):
    job_id: str | None = Field(description="null when nothing of yours matched")
    events: str | None = None
    accepted: list[int]
    not_found: list[int] = []


def _matching(rt: Runtime, user_id: int, criteria: ExploreFilter) -> list[int]:
    """The person's own readings under the filter (analysts too: only their own go)."""
    viewer = Viewer(user_id, Role.USER, rt.pseudonym_secret)
    page = rt.explorer.page(viewer, criteria, None, readings.MAX_BULK)
    if page.next_cursor is not None:
        raise ApiError("TOO_MANY_READINGS", f"More than {readings.MAX_BULK} readings match.")
    return [row.id for row in page.rows]


@router.post(
    "/bulk-deletions",
    status_code=202,
    summary="Delete up to 1,000 readings (a job)",
    responses=responses(422, 503),
)
def bulk_delete(owner: Writer, rt: RuntimeDep, body: BulkDelete) -> BulkAccepted:
    if rt.queues is None:
        raise ApiError("QUEUE_UNAVAILABLE", "The job queue is not configured (REDIS_URL).")
    asked = body.reading_ids if body.reading_ids is not None else None
    if asked is None:
        assert body.filter is not None
        asked = _matching(rt, owner.user_id, body.filter)
    with transaction(rt.session_factory) as session:
        mine = readings.owned_ids(session, owner.user_id, asked)
    missing = [reading_id for reading_id in dict.fromkeys(asked) if reading_id not in set(mine)]
    if not mine:
        return BulkAccepted(job_id=None, accepted=[], not_found=missing)
    policy = jobs.bulk_policy(rt.settings)
    job_id = readings.submit_removal(rt.session_factory, rt.queues, owner.user_id, mine, policy)
    return BulkAccepted(
        job_id=job_id, events=f"{PREFIX}/jobs/{job_id}/events", accepted=mine, not_found=missing
    )
