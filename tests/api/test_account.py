"""/api/v1/account: the export job (one at a time, its zip once ready) and deleting the
account with the password and the phrase, as on the Profile page."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from palm.privacy import CONFIRMATION_PHRASE
from tests.api.conftest import PASSWORD, MakeCaller
from tests.workers.burst import run_burst_worker


def test_an_export_is_queued_once_then_downloaded(
    api: TestClient, caller: MakeCaller, app_env: dict[str, str]
) -> None:
    ana = caller()
    missing = api.get("/api/v1/account/export/download", headers=ana.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "EXPORT_NOT_FOUND")
    first = api.post("/api/v1/account/export", headers=ana.headers)
    assert first.status_code == 202 and first.json()["state"] == "queued"
    again = api.post("/api/v1/account/export", headers=ana.headers).json()
    assert again["job_id"] == first.json()["job_id"]  # a second request makes no second job
    run_burst_worker(app_env["REDIS_URL"], app_env["DATABASE_URL"], Path(app_env["PALM_DATA_DIR"]))
    state = api.get("/api/v1/account/export", headers=ana.headers).json()
    assert state["state"] == "finished" and state["download"]
    archive = api.get(state["download"], headers=ana.headers)
    assert archive.headers["content-type"] == "application/zip"
    assert archive.content[:2] == b"PK"


def test_deleting_the_account_needs_the_phrase_and_then_the_token_is_gone(
    api: TestClient, caller: MakeCaller
) -> None:
    ana = caller()
    wrong = api.request(
        "DELETE",
        "/api/v1/account",
        headers=ana.headers,
        json={"password": PASSWORD, "confirmation": "please"},
    )
    assert wrong.status_code == 422 and wrong.json()["code"]
    done = api.request(
        "DELETE",
        "/api/v1/account",
        headers=ana.headers,
        json={"password": PASSWORD, "confirmation": CONFIRMATION_PHRASE},
    )
    assert done.status_code == 204
    assert api.get("/api/v1/readings", headers=ana.headers).status_code == 401


def test_a_read_only_token_cannot_delete_the_account(api: TestClient, caller: MakeCaller) -> None:
    ana = caller(scopes=["read"])
    body = {"password": PASSWORD, "confirmation": CONFIRMATION_PHRASE}
    response = api.request("DELETE", "/api/v1/account", headers=ana.headers, json=body)
    assert response.status_code == 403
