"""Bulk delete: by ids or by a History filter, my readings only (others' ids are reported
and left alone), by a job a real worker runs, with progress on the job's stream."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.models import Reading
from tests.api.conftest import Caller, MakeCaller
from tests.explore.data import ReadingSpec, add_reading
from tests.workers.burst import run_burst_worker


def seed(factory: sessionmaker[Session], who: Caller, hands: list[str]) -> list[int]:
    with transaction(factory) as session:
        return [add_reading(session, ReadingSpec(user_id=who.user_id, hand=h)) for h in hands]


def remaining(factory: sessionmaker[Session]) -> set[int]:
    with transaction(factory) as session:
        return set(session.scalars(select(Reading.id)))


def test_ids_of_mine_are_deleted_by_a_job_and_others_are_reported(
    api: TestClient,
    caller: MakeCaller,
    session_factory: sessionmaker[Session],
    app_env: dict[str, str],
) -> None:
    ana, ben = caller(), caller()
    mine = seed(session_factory, ana, ["left", "right", "left"])
    theirs = seed(session_factory, ben, ["left"])
    body = {"reading_ids": [*mine[:2], *theirs, 999999]}
    sent = api.post("/api/v1/bulk-deletions", headers=ana.headers, json=body).json()
    assert sent["accepted"] == mine[:2] and sent["not_found"] == [*theirs, 999999]
    run_burst_worker(app_env["REDIS_URL"], app_env["DATABASE_URL"], Path(app_env["PALM_DATA_DIR"]))
    job = api.get(f"/api/v1/jobs/{sent['job_id']}", headers=ana.headers).json()
    assert (job["state"], job["progress"], job["kind"]) == ("finished", 1.0, "bulk_delete")
    assert remaining(session_factory) == {mine[2], *theirs}


def test_a_filter_deletes_only_my_matching_readings(
    api: TestClient,
    caller: MakeCaller,
    session_factory: sessionmaker[Session],
    app_env: dict[str, str],
) -> None:
    ana, ben = caller(), caller()
    left, right = seed(session_factory, ana, ["left", "right"])
    theirs = seed(session_factory, ben, ["left"])
    body = {"filter": {"hands": ["left"]}}
    sent = api.post("/api/v1/bulk-deletions", headers=ana.headers, json=body).json()
    assert sent["accepted"] == [left]
    run_burst_worker(app_env["REDIS_URL"], app_env["DATABASE_URL"], Path(app_env["PALM_DATA_DIR"]))
    assert remaining(session_factory) == {right, *theirs}


def test_both_or_neither_and_too_many_are_422(api: TestClient, caller: MakeCaller) -> None:
    ana = caller()
    for body in ({}, {"reading_ids": [1], "filter": {}}, {"reading_ids": list(range(1, 1002))}):
        response = api.post("/api/v1/bulk-deletions", headers=ana.headers, json=body)
        assert response.status_code == 422, body
    nothing = api.post(
        "/api/v1/bulk-deletions", headers=ana.headers, json={"reading_ids": [5]}
    ).json()
    assert nothing == {"job_id": None, "events": None, "accepted": [], "not_found": [5]}
