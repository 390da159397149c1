"""Comparisons, shares, trends and the streamed CSV through the API: the Compare, sharing
and History features with their scoping (yours, shared with you, or analysts' everyone)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.settings import get_settings
from palm.vocabulary import Role
from tests.api.conftest import Caller, MakeCaller
from tests.explore.data import ReadingSpec, add_reading


def done(factory: sessionmaker[Session], who: Caller, hand: str = "left") -> int:
    with transaction(factory) as session:
        return add_reading(session, ReadingSpec(user_id=who.user_id, hand=hand))


def test_two_of_my_readings_compare_and_a_strangers_is_not_found(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana, ben = caller(), caller()
    ids = [done(session_factory, ana, "left"), done(session_factory, ana, "right")]
    body = api.post("/api/v1/comparisons", headers=ana.headers, json={"reading_ids": ids}).json()
    assert [item["reading_id"] for item in body["items"]] == ids
    assert body["narrative"] and body["diffs"] and "owner_id" not in str(body)
    query = "&".join(f"reading_ids={i}" for i in ids)
    assert api.get(f"/api/v1/comparisons?{query}", headers=ana.headers).json() == body
    stranger = api.post("/api/v1/comparisons", headers=ben.headers, json={"reading_ids": ids})
    assert (stranger.status_code, stranger.json()["code"]) == (404, "READING_NOT_FOUND")
    one = api.post("/api/v1/comparisons", headers=ana.headers, json={"reading_ids": ids[:1]})
    assert one.status_code == 422


def test_a_share_lets_the_friend_compare_until_it_is_revoked(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana, ben = caller(), caller()
    mine, theirs = done(session_factory, ana), done(session_factory, ben)
    sent = api.post(
        f"/api/v1/readings/{mine}/shares", headers=ana.headers, json={"email": ben.email}
    )
    assert sent.status_code == 202
    nobody = api.post(
        f"/api/v1/readings/{mine}/shares", headers=ana.headers, json={"email": "no@example.com"}
    )
    assert nobody.json() == sent.json()  # the same words: sharing reveals no account
    pair = {"reading_ids": [theirs, mine]}
    assert api.post("/api/v1/comparisons", headers=ben.headers, json=pair).status_code == 200
    [share] = api.get("/api/v1/shares", headers=ana.headers).json()
    assert share["recipient_email"] == ben.email and share["revoked_at"] is None
    stolen = api.delete(f"/api/v1/shares/{share['id']}", headers=ben.headers)
    assert stolen.status_code == 404
    assert api.delete(f"/api/v1/shares/{share['id']}", headers=ana.headers).status_code == 204
    assert api.post("/api/v1/comparisons", headers=ben.headers, json=pair).status_code == 404
    theirs_shared = api.post(
        f"/api/v1/readings/{theirs}/shares", headers=ana.headers, json={"email": ben.email}
    )
    assert theirs_shared.status_code == 404  # not hers to share


def test_a_bad_address_is_the_pages_refusal(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana = caller()
    mine = done(session_factory, ana)
    response = api.post(
        f"/api/v1/readings/{mine}/shares", headers=ana.headers, json={"email": "not an address"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "INVALID_EMAIL")


def test_trends_count_what_the_viewer_may_see(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana, ben, analyst = caller(), caller(), caller(Role.ANALYST)
    done(session_factory, ana, "left")
    done(session_factory, ben, "right")
    mine = api.get("/api/v1/trends/shapes", headers=ana.headers).json()
    assert mine == [{"hand": "left", "shape": "earth", "count": 1}]
    everyone = api.get("/api/v1/trends/shapes", headers=analyst.headers).json()
    assert sum(row["count"] for row in everyone) == 2
    for route in ("per-day", "line-metrics?granularity=day", "presence"):
        assert api.get(f"/api/v1/trends/{route}", headers=ana.headers).json()


def test_the_csv_streams_the_filtered_set_and_counts_as_a_download(
    api: TestClient,
    caller: MakeCaller,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PALM_EXPORT_PER_ACCOUNT", "1/hour")
    get_settings.cache_clear()
    from palm.runtime import reset_runtime

    reset_runtime()
    ana = caller()
    done(session_factory, ana, "left")
    done(session_factory, ana, "right")
    response = api.get("/api/v1/exports/readings.csv?hand=right", headers=ana.headers)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["hand"] for row in rows] == ["right"]
    again = api.get("/api/v1/exports/readings.csv", headers=ana.headers)
    assert (again.status_code, again.json()["code"]) == (429, "EXPORT_RATE_LIMITED")
    assert int(again.headers["retry-after"]) > 0


def test_the_ndjson_export_carries_the_same_rows_as_json_lines(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana, ben = caller(), caller()
    done(session_factory, ana, "left")
    done(session_factory, ana, "right")
    done(session_factory, ben, "left")
    response = api.get("/api/v1/exports/readings.ndjson?hand=left", headers=ana.headers)
    assert response.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert [(row["hand"], row["owner"]) for row in rows] == [("left", "you")]
    assert rows[0]["analysis_types"] == ["life", "love"]
