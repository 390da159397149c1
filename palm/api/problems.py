"""RFC 9457 problem details: every refusal of the API is ``application/problem+json`` with
the same code and message the pages show (palm.errors.PalmError), and an HTTP status.

The status comes from the code, so a feature never knows it is behind HTTP.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from palm.errors import PalmError
from palm.infra import RateLimitedError

PROBLEM_JSON = "application/problem+json"
CHAT_RETRY_SECONDS = 60
TYPE_BASE = "https://palmline.dev/problems/"

#: Codes whose status is not the default 422 (a request the features refused as invalid).
STATUS_OF: dict[str, int] = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "INSUFFICIENT_SCOPE": 403,
    "WEBHOOK_SYSTEM_EVENTS": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "FILE_TOO_LARGE": 413,
    "BODY_TOO_LARGE": 413,
    "UNSUPPORTED_FORMAT": 415,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "DUPLICATE_UPLOAD": 409,
    "SUBMISSION_IN_PROGRESS": 409,
    "QUEUE_UNAVAILABLE": 503,
    "SERVICE_UNAVAILABLE": 503,
}


class Problem(BaseModel):
    """An RFC 9457 problem; ``code`` is Palmline's stable error code."""

    type: str = Field(examples=[TYPE_BASE + "READING_NOT_FOUND"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["That reading does not exist or is not yours."])
    code: str = Field(examples=["READING_NOT_FOUND"])
    instance: str | None = Field(default=None, examples=["/api/v1/readings/42"])
    errors: list[dict[str, Any]] | None = None


def status_for(code: str) -> int:
    if code in STATUS_OF:
        return STATUS_OF[code]
    if code.endswith("_NOT_FOUND"):
        return 404
    if code.endswith(("_RATE_LIMITED", "_SLOWED")):
        return 429
    return 422


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = Problem(
        type=TYPE_BASE + code,
        title=title,
        status=status,
        detail=detail,
        code=code,
        instance=instance,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_JSON,
    )


class ApiError(PalmError):
    """A refusal that only the API makes (no token, wrong scope, bad cursor)."""

    def __init__(self, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(code, message)
        self.headers = headers or {}


def _palm_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PalmError)
    headers = dict(getattr(exc, "headers", {}))
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    status = status_for(exc.code)
    if status == 429:
        headers.setdefault("Retry-After", str(CHAT_RETRY_SECONDS))  # per-minute limits
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="palmline"')
    return problem_response(
        status, exc.code, exc.message, instance=request.url.path, headers=headers
    )


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
    return problem_response(
        422,
        "VALIDATION_ERROR",
        "The request is not valid: see errors.",
        instance=request.url.path,
        errors=errors,
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path answers (Starlette names only the first's)."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": "__none__"})
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {
        400: "MALFORMED_BODY",
        401: "UNAUTHENTICATED",
        404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
    }
    code = codes.get(exc.status_code, f"HTTP_{exc.status_code}")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return problem_response(
        exc.status_code, code, str(exc.detail), instance=request.url.path, headers=headers
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(PalmError, _palm_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problem responses a route documents beyond the usual ones (palm.api.openapi
    gives every error its problem+json content)."""
    return {status: {"description": HTTPStatus(status).phrase} for status in statuses}
