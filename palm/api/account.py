"""/api/v1/account: export my data (a job, then the zip) and delete my account, through
palm.privacy as on the Profile page."""

from __future__ import annotations

from fastapi import APIRouter, Response

from palm import jobs, privacy
from palm.api.deps import AddressDep, Reader, RuntimeDep, Writer
from palm.api.problems import ApiError, responses
from palm.api.readings import PREFIX
from palm.api.schemas import AccountDeletion, ExportOut
from palm.db import transaction
from palm.runtime import Runtime

router = APIRouter(prefix=PREFIX, tags=["account"])
ZIP = {"content": {"application/zip": {}}, "description": "The export zip."}


def _status(rt: Runtime, user_id: int, job_id: str | None = None) -> ExportOut:
    if rt.redis is None:
        raise ApiError("QUEUE_UNAVAILABLE", "The job queue is not configured (REDIS_URL).")
    with transaction(rt.session_factory) as session:
        status = privacy.export_status(session, rt.redis, user_id)
    ready = status.ready_until is not None
    return ExportOut(
        **vars(status),
        job_id=job_id,
        download=f"{PREFIX}/account/export/download" if ready else None,
    )


@router.post(
    "/account/export",
    status_code=202,
    summary="Export my data (a job builds a zip kept 24 h)",
    responses=responses(401, 403, 429, 503),
)
def request_export(owner: Writer, rt: RuntimeDep, address: AddressDep) -> ExportOut:
    """A second request while one is queued, running or ready returns that one."""
    if rt.queues is None:
        raise ApiError("QUEUE_UNAVAILABLE", "The job queue is not configured (REDIS_URL).")
    job_id = privacy.request_export(
        rt.session_factory,
        rt.queues,
        user_id=owner.user_id,
        policy=jobs.export_policy(rt.settings),
        rate=rt.export_limits,
        address=address,
    )
    return _status(rt, owner.user_id, job_id)


@router.get("/account/export", summary="My export's state", responses=responses(401, 403, 503))
def export_state(owner: Reader, rt: RuntimeDep) -> ExportOut:
    return _status(rt, owner.user_id)


@router.get(
    "/account/export/download",
    summary="My export's zip",
    response_class=Response,
    responses={200: ZIP, **responses(401, 403, 404, 503)},
)
def download_export(owner: Reader, rt: RuntimeDep) -> Response:
    if rt.redis is None:
        raise ApiError("QUEUE_UNAVAILABLE", "The job queue is not configured (REDIS_URL).")
    data = privacy.fetch_export(rt.redis, rt.cipher, owner.user_id)
    if data is None:
        raise ApiError("EXPORT_NOT_FOUND", "No export is ready: request one first.")
    headers = {"Content-Disposition": 'attachment; filename="palmline-export.zip"'}
    return Response(data, media_type="application/zip", headers=headers)


@router.delete(
    "/account",
    status_code=204,
    summary="Delete my account and everything of it",
    responses=responses(401, 403, 422),
)
def delete_account(owner: Writer, rt: RuntimeDep, body: AccountDeletion) -> Response:
    """Needs the password and the phrase “delete my account”, as on the Profile page."""
    privacy.delete_account(
        rt.session_factory,
        rt.redis,
        rt.queues,
        rt.blob_store,
        user_id=owner.user_id,
        password=body.password,
        confirmation=body.confirmation,
        secret=rt.pseudonym_secret,
        session_ref=f"token:{owner.token_id}",
    )
    return Response(status_code=204)
