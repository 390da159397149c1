"""GET /api/v1/readings: the History filters as query parameters, keyset pages that never
skip or repeat, the ``next`` link (and Link header), owners as the History page shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.models import Reading, utcnow
from palm.readings.store import add_reading
from palm.vision import FAINT_CONFIDENCE
from palm.vocabulary import Role
from tests.api.conftest import MakeCaller
from tests.explore.data import LineSpec, ReadingSpec
from tests.explore.data import add_reading as add_explore_reading

Seed = Callable[..., list[int]]


def seed(factory: sessionmaker[Session], user_id: int, count: int, **fields: object) -> list[int]:
    """``count`` readings one minute apart, newest last."""
    ids = []
    with transaction(factory) as session:
        for index in range(count):
            reading = add_reading(
                session,
                user_id=user_id,
                batch_id="b" * 32,
                filename=f"photo-{index}.jpg",
                hand_requested="auto",
                analysis_types=["life"],
                image_id=None,
            )
            reading.created_at = utcnow() - timedelta(minutes=count - index)
            for name, value in fields.items():
                setattr(reading, name, value)
            ids.append(reading.id)
    return ids


def test_pages_follow_next_without_skipping_or_repeating(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana = caller()
    ids = seed(session_factory, ana.user_id, 7)
    seen, url, pages = [], "/api/v1/readings?limit=3", 0
    while url:
        response = api.get(url, headers=ana.headers)
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        if body["next"]:
            assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
            assert "limit=3" in body["next"]
        url, pages = body["next"], pages + 1
    assert seen == list(reversed(ids)) and pages == 3


def test_filters_narrow_like_the_history_page(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana = caller()
    seed(session_factory, ana.user_id, 2, status="failed", hand="left")
    done = seed(session_factory, ana.user_id, 1, status="done", hand="right")
    body = api.get("/api/v1/readings?status=done&hand=right", headers=ana.headers).json()
    assert [item["id"] for item in body["items"]] == done
    assert body["items"][0]["owner"] == "you"
    assert body["items"][0]["url"] == f"/api/v1/readings/{done[0]}"


def test_a_person_sees_only_theirs_and_an_analyst_everyones_under_pseudonyms(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana, ben, analyst = caller(), caller(), caller(Role.ANALYST)
    mine = seed(session_factory, ana.user_id, 2)
    seed(session_factory, ben.user_id, 1)
    own = api.get("/api/v1/readings", headers=ana.headers).json()["items"]
    assert sorted(item["id"] for item in own) == mine
    everyone = api.get("/api/v1/readings", headers=analyst.headers).json()["items"]
    assert len(everyone) == 3
    assert all(item["owner"].startswith("u-") for item in everyone)
    assert ana.email not in str(everyone)


def test_a_forged_cursor_and_bad_filters_are_422(api: TestClient, caller: MakeCaller) -> None:
    ana = caller()
    cursor = api.get("/api/v1/readings?cursor=not-a-cursor", headers=ana.headers)
    assert (cursor.status_code, cursor.json()["code"]) == (422, "BAD_CURSOR")
    line = api.get("/api/v1/readings?line=pinky", headers=ana.headers)
    assert (line.status_code, line.json()["code"]) == (422, "VALIDATION_ERROR")
    day = api.get("/api/v1/readings?date_to=0", headers=ana.headers)
    assert day.json()["errors"][0]["loc"] == ["query", "date_to"]
    limit = api.get("/api/v1/readings?limit=0", headers=ana.headers)
    assert (limit.status_code, limit.json()["code"]) == (422, "VALIDATION_ERROR")


def test_the_list_never_carries_the_analysis(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana = caller()
    [reading_id] = seed(session_factory, ana.user_id, 1)
    with transaction(session_factory) as session:
        session.get_one(Reading, reading_id).analysis = {"landmarks": [[1, 2]]}
    item = api.get("/api/v1/readings", headers=ana.headers).json()["items"][0]
    assert "landmarks" not in str(item)


def test_a_line_found_on_thin_evidence_is_marked_faint(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana = caller()
    lines = {
        "heart": LineSpec(confidence=0.95),
        "head": LineSpec(confidence=FAINT_CONFIDENCE - 0.1),
        "fate": LineSpec(found=False),
    }
    with transaction(session_factory) as session:
        reading_id = add_explore_reading(session, ReadingSpec(ana.user_id, lines=lines))
    body = api.get(f"/api/v1/readings/{reading_id}", headers=ana.headers).json()
    marks = {line["name"]: (line["found"], line["faint"]) for line in body["lines"]}
    assert marks["heart"] == (True, False)
    assert marks["head"] == (True, True)
    assert marks["fate"] == (False, False)
