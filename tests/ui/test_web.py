"""The HTTP routes beside Streamlit, through Starlette's test client: completing a sign-in
sets an HttpOnly cookie once, a forged sign-out link signs no one out, the CSV streams only
the signed-in person's readings, and every response carries the security headers."""

from __future__ import annotations

import csv
import io

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.testclient import TestClient

from palm.accounts import sessions
from palm.db import transaction
from palm.explore import ExploreFilter
from palm.models import AuditEvent
from palm.runtime import reset_runtime
from palm.settings import get_settings
from palm.ui.web import COOKIE, CSV_PATH, ROUTES, SecurityHeaders, encode_filter
from palm.vocabulary import Role
from tests.explore.data import ReadingSpec, add_reading


@pytest.fixture
def client(app_env: dict[str, str]) -> TestClient:  # noqa: ARG001  (the routes read its settings)
    app = Starlette(routes=ROUTES, middleware=[Middleware(SecurityHeaders)])
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def test_a_ticket_becomes_an_httponly_session_cookie_once(
    client: TestClient, redis_client: Redis
) -> None:
    ticket = sessions.issue_ticket(redis_client, 7, "/history?from=link")
    response = client.get("/auth/complete", params={"ticket": ticket})
    assert response.status_code == 303 and response.headers["location"] == "/history?from=link"
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; https sets it
    again = client.get("/auth/complete", params={"ticket": ticket})
    assert again.status_code == 303 and "set-cookie" not in again.headers


def test_over_https_the_cookie_is_secure(client: TestClient, redis_client: Redis) -> None:
    ticket = sessions.issue_ticket(redis_client, 7, "/")
    response = client.get(
        "/auth/complete", params={"ticket": ticket}, headers={"x-forwarded-proto": "https"}
    )
    assert "Secure" in response.headers["set-cookie"]


def test_a_forged_sign_out_link_keeps_a_live_session(
    client: TestClient, redis_client: Redis
) -> None:
    token = sessions.open_session(redis_client, 7, "", idle_seconds=3600)
    client.cookies.set(COOKIE, token)
    assert "set-cookie" not in client.get("/auth/signout").headers  # still signed in
    sessions.revoke(redis_client, token)  # the page revokes first, then comes here
    assert f'{COOKIE}=""' in client.get("/auth/signout").headers["set-cookie"]


def test_the_csv_streams_the_signed_in_persons_readings_only(
    client: TestClient,
    redis_client: Redis,
    session_factory: sessionmaker[Session],
    make_account,
) -> None:
    ana, ben = make_account("ana@example.com"), make_account("ben@example.com", Role.USER)
    with transaction(session_factory) as session:
        for owner in (ana, ana, ana, ben):
            add_reading(session, ReadingSpec(owner))
    everything = encode_filter(ExploreFilter())
    assert client.get(CSV_PATH, params={"f": everything}).status_code == 401
    client.cookies.set(COOKIE, sessions.open_session(redis_client, ana, "", idle_seconds=3600))
    response = client.get(CSV_PATH, params={"f": everything})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 3 and {row["owner"] for row in rows} == {"you"}
    assert client.get(CSV_PATH, params={"f": "not-a-filter"}).status_code == 400


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    headers = client.get("/auth/complete").headers
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["content-security-policy"] == "frame-ancestors 'self'"
    assert headers["x-content-type-options"] == "nosniff"


def test_a_crash_still_answers_with_the_security_headers(
    app_env: dict[str, str],  # noqa: ARG001
) -> None:
    """Starlette answers an unhandled error from outside every user middleware; the headers
    must be on that 500 too (it is framed or sniffed like any other page)."""

    async def crash(_request: object) -> None:
        raise RuntimeError("boom")

    app = Starlette(routes=[Route("/crash", crash)], middleware=[Middleware(SecurityHeaders)])
    response = TestClient(app, raise_server_exceptions=False).get("/crash")
    assert response.status_code == 500
    assert "boom" not in response.text
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_csv_downloads_over_the_limit_get_429_with_the_wait_and_are_audited(
    client: TestClient,
    redis_client: Redis,
    session_factory: sessionmaker[Session],
    make_account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PALM_EXPORT_PER_ACCOUNT", "2/hour")
    get_settings.cache_clear()
    reset_runtime()
    ana = make_account("ana@example.com")
    client.cookies.set(COOKIE, sessions.open_session(redis_client, ana, "", idle_seconds=3600))
    everything = {"f": encode_filter(ExploreFilter())}
    codes = [client.get(CSV_PATH, params=everything).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.get(CSV_PATH, params=everything)
    assert refused.text.startswith("Too many downloads from this account; try again in")
    assert refused.text.endswith("[EXPORT_RATE_LIMITED]")
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    with transaction(session_factory) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "rate_limited"))
        assert [(e.actor, e.target) for e in events] == [("ana@example.com", "history.csv")] * 2
