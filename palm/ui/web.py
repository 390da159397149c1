"""Palmline's HTTP side, beside Streamlit in one st.App (``web.py`` at the project root):
completing a sign-in into an HttpOnly cookie, signing out, streaming the History CSV, the
Prometheus endpoint (/metrics), and security headers on every response.

Streamlit 1.60 reads cookies (``st.context.cookies``) but a script cannot set them; an
st.App route can (streamlit/streamlit#861), so the page hands the route a one-time ticket.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palm import accounts, ops
from palm.db import transaction
from palm.explore import ExploreFilter, Viewer
from palm.infra import RateLimitedError
from palm.models import utcnow
from palm.runtime import get_runtime
from palm.ui.address import resolve as resolve_address
from palm.vocabulary import Role

COOKIE = accounts.SESSION_COOKIE
CSV_PATH = "/export/history.csv"
METRICS_PATH = "/metrics"
SECURITY_HEADERS = [
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=get_runtime().settings.session_idle_seconds,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


async def complete_sign_in(request: Request) -> Response:
    """Redeem the page's one-time ticket: a session, its cookie, and back to the page."""
    runtime = get_runtime()
    ticket = request.query_params.get("ticket", "")
    if runtime.redis is None:
        return RedirectResponse("/", status_code=303)
    redeemed = await run_in_threadpool(accounts.redeem_sign_in_ticket, runtime.redis, ticket)
    if redeemed is None:
        return RedirectResponse("/", status_code=303)
    user_id, next_path = redeemed
    agent = request.headers.get("user-agent", "")
    idle = runtime.settings.session_idle_seconds
    token = await run_in_threadpool(
        accounts.open_session, runtime.redis, user_id, agent, idle_seconds=idle
    )
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, request, token)
    return response


async def sign_out(request: Request) -> Response:
    """Drop the cookie once the page has revoked its session; a forged link signs no one out."""
    runtime = get_runtime()
    token = request.cookies.get(COOKIE, "")
    response = RedirectResponse("/", status_code=303)
    alive = None
    if token and runtime.redis is not None:
        idle = runtime.settings.session_idle_seconds
        alive = await run_in_threadpool(
            accounts.resolve_session, runtime.redis, token, idle_seconds=idle
        )
    if alive is None:
        response.delete_cookie(COOKIE, path="/")
    return response


def encode_filter(criteria: ExploreFilter) -> str:
    """The filter as a URL parameter for the CSV route."""
    return base64.urlsafe_b64encode(criteria.model_dump_json().encode()).decode().rstrip("=")


def decode_filter(value: str) -> ExploreFilter:
    padded = value + "=" * (-len(value) % 4)
    return ExploreFilter.model_validate_json(base64.urlsafe_b64decode(padded.encode()))


def _viewer_for_cookie(token: str) -> Viewer | None:
    runtime = get_runtime()
    if runtime.redis is None or not token:
        return None
    info = accounts.resolve_session(
        runtime.redis, token, idle_seconds=runtime.settings.session_idle_seconds
    )
    if info is None:
        return None
    with transaction(runtime.session_factory) as session:
        user = accounts.get_user(session, info.user_id)
        role = Role(user.role) if user is not None and user.disabled_at is None else None
    if role is None:
        return None
    return Viewer(info.user_id, role, runtime.pseudonym_secret)


def _encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


async def history_csv(request: Request) -> Response:
    """Every reading matching the History filter, streamed: constant memory at any size."""
    viewer = await run_in_threadpool(_viewer_for_cookie, request.cookies.get(COOKIE, ""))
    if viewer is None:
        return PlainTextResponse("Sign in to download your readings.", status_code=401)
    try:
        criteria = decode_filter(request.query_params.get("f", ""))
    except (ValidationError, ValueError, binascii.Error):
        return PlainTextResponse("That filter is not valid.", status_code=400)
    runtime = get_runtime()
    address = resolve_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for", ""),
        runtime.settings.palm_trusted_proxies,
    )
    try:
        chunks = await run_in_threadpool(
            runtime.explorer.csv_export,
            viewer,
            criteria,
            rate=runtime.export_limits,
            address=address,
        )
    except RateLimitedError as error:
        return PlainTextResponse(
            f"{error.message} [{error.code}]",
            status_code=429,
            headers={"retry-after": str(error.retry_after)},
        )
    return StreamingResponse(
        _encoded(chunks),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="palmline-history.csv"'},
    )


def _loopback(host: str | None) -> bool:
    """Whether the peer is this machine (a dual-stack socket shows IPv4 as ::ffff:127.0.0.1)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _metrics_body() -> bytes:
    runtime = get_runtime()
    with transaction(runtime.session_factory) as session:
        return ops.metrics_text(
            session,
            queues=runtime.queues,
            redis=runtime.redis,
            log=runtime.query_log,
            default_budget=runtime.settings.palm_llm_monthly_budget_usd,
            now=utcnow(),
        )


async def metrics(request: Request) -> Response:
    """The console's figures for Prometheus: with PALM_METRICS_TOKEN set, scrapers send it as
    a bearer token; without, only this machine may ask."""
    token = get_runtime().settings.palm_metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token.get_secret_value()}".encode()):
            return PlainTextResponse("A bearer token is required.", status_code=401)
    elif not _loopback(request.client.host if request.client else None):
        return PlainTextResponse(
            "Set PALM_METRICS_TOKEN to scrape from another machine.", status_code=403
        )
    body = await run_in_threadpool(_metrics_body)
    return Response(body, media_type=ops.METRICS_CONTENT_TYPE)


ROUTES = [
    Route("/auth/complete", complete_sign_in),
    Route("/auth/signout", sign_out),
    Route(CSV_PATH, history_csv),
    Route(METRICS_PATH, metrics),
]


class SecurityHeaders:
    """Adds frame, sniffing and referrer headers to every HTTP response (pure ASGI, so
    streaming responses and the websocket pass through untouched).

    Starlette answers an unhandled error from its outermost layer, outside every user
    middleware, so that 500 would go out bare: an error raised before the response started
    is answered here instead, with the headers, then re-raised for the server's log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers: list[Any] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            if not started:
                failure = PlainTextResponse("Internal Server Error", status_code=500)
                await failure(scope, receive, with_headers)
            raise
