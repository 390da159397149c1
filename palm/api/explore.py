"""/api/v1 comparisons, shares, trends and the streamed CSV: the History, Compare and
sharing features of the pages (palm.explore), scoped by the same Viewer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from palm import explore
from palm.api.deps import AddressDep, Reader, RuntimeDep, Writer, viewer_of
from palm.api.listing import history_filter
from palm.api.problems import responses
from palm.api.readings import PREFIX, ReadingId
from palm.db import transaction
from palm.explore import DayCount, ExploreFilter, LineMetricPoint, PresenceCount, ShapeCount

router = APIRouter(prefix=PREFIX, tags=["explore"])
Filter = Annotated[ExploreFilter, Depends(history_filter)]
CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV rows"}
NDJSON = {
    "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    "description": "One JSON object per reading, per line",
}
Ids = Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(min_length=2, max_length=4)]


class CompareRequest(BaseModel):
    reading_ids: Ids = Field(examples=[[41, 42]])


class CompareLine(BaseModel):
    found: bool
    length_rel: float
    depth: float
    curvature: float
    breaks: int
    branches: int
    confidence: float


class CompareReading(BaseModel):
    reading_id: int
    owner: str = Field(examples=["you"])
    created_at: datetime
    filename: str
    hand: str | None
    hand_shape: str | None
    lines: dict[str, CompareLine]


class MetricChange(BaseModel):
    line: str
    metric: str
    values: list[float | None]
    deltas: list[float | None]


class ComparisonOut(BaseModel):
    """The Compare page's content: per line and metric, values and changes against the
    first reading; the written comparison; a compatibility score for two people."""

    items: list[CompareReading]
    diffs: list[MetricChange]
    narrative: list[str]
    compatibility: int | None = None


def _comparison(result: explore.Comparison) -> ComparisonOut:
    items = [
        CompareReading(
            reading_id=item.reading_id,
            owner=item.owner,
            created_at=item.created_at,
            filename=item.filename,
            hand=item.hand,
            hand_shape=item.hand_shape,
            lines={
                name: CompareLine(**{k: getattr(snap, k) for k in CompareLine.model_fields})
                for name, snap in item.lines.items()
            },
        )
        for item in result.items
    ]
    diffs = [MetricChange(**vars(diff)) for diff in result.diffs]
    return ComparisonOut(
        items=items, diffs=diffs, narrative=result.narrative, compatibility=result.compatibility
    )


@router.post("/comparisons", summary="Compare 2–4 readings", responses=responses(404, 422))
def create_comparison(owner: Reader, rt: RuntimeDep, body: CompareRequest) -> ComparisonOut:
    """Your readings, readings shared with you, or (analysts) anyone's; finished ones only."""
    return _comparison(rt.explorer.compare(viewer_of(owner, rt), body.reading_ids))


@router.get("/comparisons", summary="A comparison by its reading ids", responses=responses(404))
def get_comparison(
    owner: Reader,
    rt: RuntimeDep,
    reading_ids: Annotated[Ids, Query()],
) -> ComparisonOut:
    return _comparison(rt.explorer.compare(viewer_of(owner, rt), reading_ids))


class ShareRequest(BaseModel):
    email: str = Field(max_length=254, examples=["friend@example.com"])


class ShareOut(BaseModel):
    id: int
    reading_id: int
    recipient_email: str
    created_at: datetime
    revoked_at: datetime | None = None


class ShareAccepted(BaseModel):
    """Said the same whether or not the address has an account (sharing reveals nobody)."""

    detail: str = "If that address has a Palmline account, it can now see this reading."


@router.post(
    "/readings/{reading_id}/shares",
    status_code=202,
    summary="Share a finished reading by e-mail",
    responses=responses(404, 422, 429),
)
def share(
    owner: Writer, rt: RuntimeDep, address: AddressDep, reading_id: ReadingId, body: ShareRequest
) -> ShareAccepted:
    explore.share_reading(
        rt.session_factory,
        rt.redis,
        owner.user_id,
        reading_id,
        body.email,
        session_ref=f"token:{owner.token_id}",
        rate=rt.share_limits,
        address=address,
    )
    return ShareAccepted()


@router.get("/shares", summary="What I shared")
def list_shares(owner: Reader, rt: RuntimeDep) -> list[ShareOut]:
    with transaction(rt.session_factory) as session:
        rows = explore.shares_by(session, owner.user_id)
    return [
        ShareOut(
            id=row.id,
            reading_id=row.reading_id,
            recipient_email=row.recipient_email,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )
        for row in rows
    ]


@router.delete(
    "/shares/{share_id}", status_code=204, summary="Revoke a share", responses=responses(404)
)
def revoke(
    owner: Writer, rt: RuntimeDep, share_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Response:
    explore.revoke_share(
        rt.session_factory,
        rt.redis,
        owner.user_id,
        share_id,
        session_ref=f"token:{owner.token_id}",
    )
    return Response(status_code=204)


@router.get("/trends/per-day", summary="Readings per day and status")
def per_day(owner: Reader, rt: RuntimeDep, criteria: Filter) -> list[DayCount]:
    return rt.explorer.per_day(viewer_of(owner, rt), criteria)


@router.get("/trends/line-metrics", summary="Each line's mean metrics over time")
def line_metrics(
    owner: Reader,
    rt: RuntimeDep,
    criteria: Filter,
    granularity: Literal["day", "month"] = "month",
) -> list[LineMetricPoint]:
    return rt.explorer.line_metrics(viewer_of(owner, rt), criteria, granularity)


@router.get("/trends/shapes", summary="Hand shapes")
def shapes(owner: Reader, rt: RuntimeDep, criteria: Filter) -> list[ShapeCount]:
    return rt.explorer.shapes(viewer_of(owner, rt), criteria)


@router.get("/trends/presence", summary="Lines found and not found")
def presence(owner: Reader, rt: RuntimeDep, criteria: Filter) -> list[PresenceCount]:
    return rt.explorer.presence(viewer_of(owner, rt), criteria)


@router.get(
    "/exports/readings.csv",
    summary="Every matching reading as CSV, streamed",
    response_class=StreamingResponse,
    responses={200: CSV, **responses(429)},
)
def readings_csv(
    owner: Reader, rt: RuntimeDep, address: AddressDep, criteria: Filter
) -> StreamingResponse:
    """The History CSV: the whole filtered set in constant memory, counted as a download."""
    chunks = rt.explorer.csv_export(
        viewer_of(owner, rt), criteria, rate=rt.export_limits, address=address
    )
    headers = {"Content-Disposition": 'attachment; filename="palmline-readings.csv"'}
    return StreamingResponse(chunks, media_type="text/csv", headers=headers)


@router.get(
    "/exports/readings.ndjson",
    summary="Every matching reading as NDJSON, streamed",
    response_class=StreamingResponse,
    responses={200: NDJSON, **responses(429)},
)
def readings_ndjson(
    owner: Reader, rt: RuntimeDep, address: AddressDep, criteria: Filter
) -> StreamingResponse:
    """The CSV's rows as JSON lines, in constant memory, counted as a download."""
    chunks = rt.explorer.ndjson_export(
        viewer_of(owner, rt), criteria, rate=rt.export_limits, address=address
    )
    return StreamingResponse(chunks, media_type="application/x-ndjson")
