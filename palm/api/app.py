"""The FastAPI application: every route under /api/v1, problem+json errors, and the two
checks made before a body is read (413 over the size cap, 415 for a wrong media type)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from palm.api import account, admin, bulk, chat, explore, jobs, openapi, readings, webhooks
from palm.api.problems import install, problem_response
from palm.runtime import get_runtime

VERSION = "1.0.0"
#: Bytes a request may carry beyond the photos it may hold (multipart framing, form fields).
FORM_SLACK = 1024 * 1024
#: Routes that read a body (method, path pattern), and the media type each accepts.
BODY_TYPES = [
    ("POST", re.compile(r"/api/v1/readings"), "multipart/form-data"),
    ("POST", re.compile(r"/api/v1/readings/\d+/shares"), "application/json"),
    ("POST", re.compile(r"/api/v1/bulk-deletions"), "application/json"),
    ("POST", re.compile(r"/api/v1/comparisons"), "application/json"),
    ("POST", re.compile(r"/api/v1/conversations"), "application/json"),
    ("POST", re.compile(r"/api/v1/conversations/\d+/messages"), "application/json"),
    ("POST", re.compile(r"/api/v1/webhooks"), "application/json"),
    ("DELETE", re.compile(r"/api/v1/account"), "application/json"),
]
DESCRIPTION = """Palmline's REST API: send palm photos, follow their analysis, read the
results. Authenticate with a personal access token from your Profile page
(`Authorization: Bearer palm_…`). Errors are RFC 9457 problem details whose `code` is the
one the app shows. For entertainment only."""


def _body_cap() -> int:
    limits = get_runtime().api_batch_limits
    return limits.max_files * limits.max_bytes + FORM_SLACK


async def guard_bodies(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Refuse a body over the cap (413) or of the wrong type (415) before it is read."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > _body_cap():
        return problem_response(
            413,
            "BODY_TOO_LARGE",
            "The request is larger than a batch may be.",
            instance=request.url.path,
        )
    wanted = next(
        (
            kind
            for method, path, kind in BODY_TYPES
            if method == request.method and path.fullmatch(request.url.path)
        ),
        None,
    )
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if wanted is not None and given != wanted:
        return problem_response(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Send this request as {wanted}.",
            instance=request.url.path,
        )
    return await call_next(request)


def create_app(*, stream_seconds: float = 300.0) -> FastAPI:
    """The API app; ``stream_seconds`` bounds one event stream (clients resume after it)."""
    app = FastAPI(
        title="Palmline API",
        version=VERSION,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.stream_seconds = stream_seconds
    install(app)
    openapi.install(app)
    app.middleware("http")(guard_bodies)
    for module in (bulk, readings, jobs, explore, chat, webhooks, account, admin):
        app.include_router(module.router)
    return app


def schema_text() -> str:
    """The v1 OpenAPI document as committed (``python -m palm api --print-schema``)."""
    return openapi.schema_text(create_app())
