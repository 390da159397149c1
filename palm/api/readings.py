"""/api/v1/readings: upload (one photo or a batch), the History list, one reading, its
overlay PNG, deletion — each through the same feature functions as the pages."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile

from palm import accounts, readings
from palm.api.deps import AddressDep, Reader, RuntimeDep, Writer, viewer_of
from palm.api.listing import decode_cursor, encode_cursor, history_filter
from palm.api.problems import ApiError, responses
from palm.api.schemas import (
    BatchItemOut,
    BatchOut,
    InterpretationOut,
    LineOut,
    ReadingOut,
    ReadingPage,
    ReadingSummaryOut,
    Refused,
)
from palm.db import transaction
from palm.errors import PalmError
from palm.explore import ExploreFilter, HistoryRow
from palm.runtime import Runtime
from palm.vision import is_faint
from palm.vocabulary import LINE_NAMES, AnalysisType, HandChoice

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX, tags=["readings"])
#: A reading id as the database holds it (a 32-bit integer on PostgreSQL).
ReadingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PNG = {"content": {"image/png": {}}, "description": "The photo with the lines drawn."}


def batch_out(rt: Runtime, user_id: int, batch_id: str, refused: list[Refused]) -> BatchOut:
    with transaction(rt.session_factory) as session:
        items = readings.batch_progress(session, user_id, batch_id)
    if not items and not refused:
        raise ApiError("BATCH_NOT_FOUND", "That batch does not exist or is not yours.")
    return BatchOut(
        batch_id=batch_id,
        items=[BatchItemOut(**vars(item)) for item in items],
        refused=refused,
        events=f"{PREFIX}/batches/{batch_id}/events",
    )


def _default_types(rt: Runtime, user_id: int) -> list[str]:
    """The kinds this person chose last on Analyze, else all of them (as the page does)."""
    with transaction(rt.session_factory) as session:
        saved = accounts.get_preference(session, user_id, accounts.DEFAULT_ANALYSIS_TYPES)
    return [str(kind) for kind in saved or []] or [kind.value for kind in AnalysisType]


@router.post(
    "/readings",
    status_code=202,
    summary="Send one photo or a batch for analysis",
    responses=responses(401, 403, 409, 413, 415, 422, 429, 503),
)
def upload(
    owner: Writer,
    rt: RuntimeDep,
    address: AddressDep,
    files: Annotated[list[UploadFile], File(description="JPEG, PNG, WebP, HEIC or BMP photos")],
    analysis_types: Annotated[
        list[str] | None,
        Form(description="life, love, career, health, head (or heart, fate, full)"),
    ] = None,
    hand: Annotated[HandChoice, Form()] = "auto",
    allow_copies: Annotated[bool, Form()] = False,
) -> BatchOut:
    """Each accepted photo becomes a reading and a job on the analysis queue; a refused file
    is listed with its code. When no file is accepted, the first refusal is the answer."""
    if rt.queues is None:
        raise ApiError("QUEUE_UNAVAILABLE", "The job queue is not configured (REDIS_URL).")
    cap = rt.api_batch_limits.max_bytes
    uploads = [
        readings.Upload(file.filename or "photo", file.file.read(cap + 1), hand) for file in files
    ]
    batch = readings.submit_batch(
        rt.session_factory,
        rt.queues,
        rt.blob_store,
        user_id=owner.user_id,
        uploads=uploads,
        analysis_types=analysis_types or _default_types(rt, owner.user_id),
        limits=rt.api_batch_limits,
        allow_copies=allow_copies,
        rate=rt.submit_limits,
        address=address,
    )
    if not batch.reading_ids and batch.refused:
        first = batch.refused[0]
        raise PalmError(first.code, f"{first.filename}: {first.message}")
    refused = [Refused(**vars(r)) for r in batch.refused]
    return batch_out(rt, owner.user_id, batch.batch_id, refused)


def _summary(row: HistoryRow) -> ReadingSummaryOut:
    fields = {k: v for k, v in vars(row).items() if k != "is_own"}
    return ReadingSummaryOut(**fields, url=f"{PREFIX}/readings/{row.id}")


def _next_link(request: Request, cursor: str) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return f"{request.url.path}?{urlencode([*query, ('cursor', cursor)])}"


@router.get(
    "/readings", summary="List readings (History filters)", responses=responses(401, 403, 422)
)
def list_readings(
    owner: Reader,
    rt: RuntimeDep,
    request: Request,
    response: Response,
    criteria: Annotated[ExploreFilter, Depends(history_filter)],
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReadingPage:
    """Newest first, keyset-paginated: follow ``next`` (also the ``Link`` header). People
    see their own readings; analysts and admins everyone's, owners as pseudonyms."""
    page = rt.explorer.page(viewer_of(owner, rt), criteria, decode_cursor(cursor), limit)
    following = encode_cursor(page.next_cursor) if page.next_cursor else None
    link = _next_link(request, following) if following else None
    if link:
        response.headers["Link"] = f'<{link}>; rel="next"'
    return ReadingPage(items=[_summary(r) for r in page.rows], next_cursor=following, next=link)


def _lines(analysis: dict[str, Any] | None) -> list[LineOut]:
    """Each line's measurements; a line not found carries no numbers to misread."""
    found = (analysis or {}).get("lines", {})
    out = []
    for name in LINE_NAMES:
        line = found.get(name)
        if not line:
            continue
        found_it = bool(line["found"])
        measured = set(LineOut.model_fields) - {"name", "found", "faint"}
        metrics = {k: line.get(k) for k in measured} if found_it else {}
        faint = is_faint(found_it, line.get("confidence"))
        out.append(LineOut(name=name, found=found_it, faint=faint, **metrics))
    return out


@router.get("/readings/{reading_id}", summary="One reading", responses=responses(401, 403, 404))
def get_reading(owner: Reader, rt: RuntimeDep, reading_id: ReadingId) -> ReadingOut:
    """Lines, metrics, interpretations and the overlay's URL; anyone else's id is 404."""
    with transaction(rt.session_factory) as session:
        reading = readings.get_reading(session, owner.user_id, reading_id)
        cards = [
            InterpretationOut(
                analysis_type=i.analysis_type,
                title=i.title,
                text=i.text,
                per_line=dict(i.per_line),
                confidence=i.confidence,
                engine=i.engine,
                fallback_reason=i.fallback_reason,
            )
            for i in readings.interpretations_of(session, reading.id)
        ]
        return ReadingOut(
            id=reading.id,
            batch_id=reading.batch_id,
            filename=reading.filename,
            created_at=reading.created_at,
            finished_at=reading.finished_at,
            status=reading.status,
            engine=reading.engine,
            error_code=reading.error_code,
            error_message=reading.error_message,
            hand=reading.hand,
            hand_shape=reading.hand_shape,
            analysis_types=list(reading.analysis_types),
            summary=reading.summary,
            lines=_lines(reading.analysis),
            interpretations=cards,
            overlay_url=f"{PREFIX}/readings/{reading.id}/overlay.png"
            if reading.overlay_key
            else None,
        )


@router.get(
    "/readings/{reading_id}/overlay.png",
    summary="The overlay PNG",
    response_class=Response,
    responses={200: PNG, **responses(401, 403, 404)},
)
def overlay_png(owner: Reader, rt: RuntimeDep, reading_id: ReadingId) -> Response:
    with transaction(rt.session_factory) as session:
        key = readings.get_reading(session, owner.user_id, reading_id).overlay_key
    if key is None:
        raise ApiError("OVERLAY_NOT_FOUND", "This reading has no overlay (yet).")
    return Response(readings.overlay_png(rt.blob_store, key), media_type="image/png")


@router.delete(
    "/readings/{reading_id}",
    status_code=204,
    summary="Delete a reading everywhere",
    responses=responses(401, 403, 404),
)
def delete_reading(owner: Writer, rt: RuntimeDep, reading_id: ReadingId) -> Response:
    """Rows, the photo (unless another reading uses it), overlay and cached replies."""
    readings.remove_reading(rt.session_factory, rt.blob_store, rt.redis, owner.user_id, reading_id)
    return Response(status_code=204)


@router.get("/batches/{batch_id}", summary="A batch's photos", responses=responses(401, 403, 404))
def get_batch(
    owner: Reader, rt: RuntimeDep, batch_id: Annotated[str, Path(max_length=32)]
) -> BatchOut:
    return batch_out(rt, owner.user_id, batch_id, [])
