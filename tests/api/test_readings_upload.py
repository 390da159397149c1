"""POST /api/v1/readings: the Analyze page's rules behind HTTP — per-file refusals with the
page's codes, 413 / 415 / 422 / 429 (Retry-After) problems, the same Redis limits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from rq import Queue

from palm.jobs import ANALYSIS_QUEUE
from palm.settings import get_settings
from tests.api.conftest import Caller, MakeCaller
from tests.support.photos import photo

PALM = ("palm.jpg", photo("palm_f_hanging.jpg"), "image/jpeg")


def send(api: TestClient, who: Caller, *files: tuple[str, bytes, str], **form: str):
    return api.post(
        "/api/v1/readings",
        headers=who.headers,
        files=[("files", f) for f in files],
        data=form,
    )


def test_a_batch_queues_good_photos_and_lists_each_refusal(
    api: TestClient, caller: MakeCaller, redis_client: Redis
) -> None:
    ana = caller()
    response = send(api, ana, PALM, ("notes.txt", b"not a photo", "text/plain"), hand="left")
    assert response.status_code == 202
    body = response.json()
    assert [(i["filename"], i["status"]) for i in body["items"]] == [("palm.jpg", "queued")]
    assert body["items"][0]["job_id"]
    assert [(r["filename"], r["code"]) for r in body["refused"]] == [
        ("notes.txt", "UNSUPPORTED_FORMAT")
    ]
    assert body["events"] == f"/api/v1/batches/{body['batch_id']}/events"
    assert Queue(ANALYSIS_QUEUE, connection=redis_client).count == 1
    batch = api.get(f"/api/v1/batches/{body['batch_id']}", headers=ana.headers)
    assert batch.json()["items"] == body["items"]


@pytest.mark.parametrize(
    ("file", "status", "code"),
    [
        (("notes.txt", b"not a photo", "text/plain"), 415, "UNSUPPORTED_FORMAT"),
        (("empty.jpg", b"", "image/jpeg"), 422, "EMPTY_FILE"),
    ],
)
def test_a_single_refused_file_is_the_problem_of_its_code(
    api: TestClient, caller: MakeCaller, file: tuple[str, bytes, str], status: int, code: str
) -> None:
    response = send(api, caller(), file)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_the_same_photo_again_asks_first_unless_copies_are_allowed(
    api: TestClient, caller: MakeCaller
) -> None:
    ana = caller()
    assert send(api, ana, PALM).status_code == 202
    again = send(api, ana, PALM)
    assert (again.status_code, again.json()["code"]) == (409, "DUPLICATE_UPLOAD")
    assert send(api, ana, PALM, allow_copies="true").status_code == 202


def test_a_body_that_is_not_multipart_is_415(api: TestClient, caller: MakeCaller) -> None:
    response = api.post("/api/v1/readings", headers=caller().headers, json={"files": []})
    assert (response.status_code, response.json()["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_an_unknown_analysis_type_is_the_pages_422(api: TestClient, caller: MakeCaller) -> None:
    response = send(api, caller(), PALM, analysis_types="palmistry-deluxe")
    assert (response.status_code, response.json()["code"]) == (422, "UNKNOWN_ANALYSIS_TYPE")


def test_a_hand_that_is_not_one_is_a_422_naming_the_field(
    api: TestClient, caller: MakeCaller
) -> None:
    response = send(api, caller(), PALM, hand="middle")
    body = response.json()
    assert (response.status_code, body["code"]) == (422, "VALIDATION_ERROR")
    assert body["errors"][0]["loc"] == ["body", "hand"]


def test_a_body_over_the_cap_is_413_before_it_is_read(
    api: TestClient, caller: MakeCaller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALM_MAX_UPLOAD_MB", "1")
    monkeypatch.setenv("PALM_API_BATCH_LIMIT", "1")
    get_settings.cache_clear()
    from palm.runtime import reset_runtime

    reset_runtime()
    big = ("big.jpg", b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024), "image/jpeg")
    response = send(api, caller(), big)
    assert (response.status_code, response.json()["code"]) == (413, "BODY_TOO_LARGE")


def test_too_many_photos_is_the_pages_refusal(
    api: TestClient, caller: MakeCaller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALM_API_BATCH_LIMIT", "1")
    get_settings.cache_clear()
    from palm.runtime import reset_runtime

    reset_runtime()
    response = send(api, caller(), PALM, PALM)
    assert (response.status_code, response.json()["code"]) == (422, "TOO_MANY_FILES")


def test_over_the_submit_limit_is_429_with_retry_after(
    api: TestClient, caller: MakeCaller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALM_SUBMIT_PER_ACCOUNT", "1/hour")
    get_settings.cache_clear()
    from palm.runtime import reset_runtime

    reset_runtime()
    ana = caller()
    assert send(api, ana, PALM).status_code == 202
    response = send(api, ana, PALM, allow_copies="true")
    assert response.status_code == 429
    assert response.json()["code"] == "SUBMIT_RATE_LIMITED"
    assert int(response.headers["retry-after"]) > 0


def test_a_hundred_photos_go_in_one_request_with_a_result_each(
    api: TestClient, caller: MakeCaller, redis_client: Redis
) -> None:
    """The bulk upload: one batch, per-item results (the page's batches stay at 20)."""
    photos = [
        (f"p{i}.jpg", photo("palm_f_hanging.jpg") + bytes([i]), "image/jpeg") for i in range(99)
    ]
    response = send(api, caller(), *photos, ("notes.txt", b"not a photo", "text/plain"))
    body = response.json()
    assert response.status_code == 202 and len(body["items"]) == 99 and len(body["refused"]) == 1
    assert Queue(ANALYSIS_QUEUE, connection=redis_client).count == 99
