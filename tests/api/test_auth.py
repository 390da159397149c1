"""Tokens: none, unknown, revoked, expired or of a disabled account get 401 problem+json;
a token without the scope gets 403; the OpenAPI and docs are public."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import revoke_token
from palm.api import create_app
from palm.db import transaction
from palm.models import ApiToken, User, utcnow
from palm.runtime import reset_runtime
from palm.settings import get_settings
from tests.api.conftest import MakeCaller


def test_no_token_is_a_401_problem_with_a_bearer_challenge(api: TestClient) -> None:
    response = api.get("/api/v1/readings")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "UNAUTHENTICATED" and body["status"] == 401
    assert body["type"].endswith("/UNAUTHENTICATED") and body["instance"] == "/api/v1/readings"


def test_an_unknown_token_is_refused(api: TestClient) -> None:
    response = api.get("/api/v1/readings", headers={"Authorization": "Bearer palm_nope"})
    assert response.status_code == 401


def test_a_revoked_token_stops_working_at_once(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana = caller()
    assert api.get("/api/v1/readings", headers=ana.headers).status_code == 200
    with transaction(session_factory) as session:
        token_id = session.query(ApiToken.id).filter_by(user_id=ana.user_id).scalar()
        revoke_token(session, ana.user_id, token_id)
    assert api.get("/api/v1/readings", headers=ana.headers).status_code == 401


def test_an_expired_token_and_a_disabled_account_are_refused(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana, ben = caller(), caller()
    with transaction(session_factory) as session:
        yesterday = utcnow() - timedelta(days=1)
        session.execute(
            update(ApiToken).where(ApiToken.user_id == ana.user_id).values(expires_at=yesterday)
        )
        session.execute(update(User).where(User.id == ben.user_id).values(disabled_at=utcnow()))
    assert api.get("/api/v1/readings", headers=ana.headers).status_code == 401
    assert api.get("/api/v1/readings", headers=ben.headers).status_code == 401


def test_a_read_only_token_cannot_write(api: TestClient, caller: MakeCaller) -> None:
    ana = caller(scopes=["read"])
    response = api.delete("/api/v1/readings/1", headers=ana.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "INSUFFICIENT_SCOPE"


def test_the_schema_and_the_docs_are_served_without_a_token(api: TestClient) -> None:
    schema = api.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Palmline API"
    assert "/api/v1/readings" in schema["paths"]
    assert "swagger" in api.get("/api/v1/docs").text.lower()


@pytest.fixture
def tight_api(monkeypatch: pytest.MonkeyPatch, app_env: dict[str, str]) -> Iterator[TestClient]:
    """The API with room for three requests a minute per token."""
    del app_env
    monkeypatch.setenv("PALM_API_PER_TOKEN", "3/minute")
    get_settings.cache_clear()
    reset_runtime()
    with TestClient(create_app(stream_seconds=5.0)) as client:
        yield client


def test_each_token_has_its_own_request_limit_told_with_retry_after(
    tight_api: TestClient, caller: MakeCaller
) -> None:
    ana, ben = caller(), caller()
    codes = [tight_api.get("/api/v1/readings", headers=ana.headers).status_code for _ in range(3)]
    refused = tight_api.get("/api/v1/readings", headers=ana.headers)
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["code"] == "API_REQUEST_RATE_LIMITED"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert tight_api.get("/api/v1/readings", headers=ben.headers).status_code == 200
