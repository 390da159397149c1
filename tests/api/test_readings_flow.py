"""A photo through the API and a real worker: progress as Server-Sent Events (resumable with
Last-Event-ID), then the reading with its lines, texts and overlay PNG, then its deletion."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Caller, MakeCaller
from tests.support.photos import photo
from tests.workers.burst import start_worker


def events(api: TestClient, url: str, who: Caller, last: str | None = None) -> list[dict[str, Any]]:
    """Every event of one connection, until the server ends it."""
    headers = {**who.headers, **({"Last-Event-ID": last} if last else {})}
    found: list[dict[str, Any]] = []
    with api.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        current: dict[str, Any] = {}
        for line in response.iter_lines():
            if not line:
                if "data" in current:
                    found.append(current)
                current = {}
            elif not line.startswith(":"):
                field, _, value = line.partition(": ")
                current[field] = json.loads(value) if field == "data" else value
    return found


def follow(api: TestClient, url: str, who: Caller, deadline: float = 180.0) -> list[dict[str, Any]]:
    """Events until the ``end`` one, reconnecting with Last-Event-ID when a stream closes
    (as an EventSource does); a stream lasts 5 s in tests."""
    seen: list[dict[str, Any]] = []
    give_up = time.monotonic() + deadline
    while not seen or seen[-1]["event"] != "end":
        assert time.monotonic() < give_up, f"no end event: {seen}"
        seen += events(api, url, who, last=seen[-1]["id"] if seen else None)
    return seen


@pytest.fixture
def worker(app_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(
        app_env["REDIS_URL"],
        app_env["DATABASE_URL"],
        Path(app_env["PALM_DATA_DIR"]),
        name="api-test-worker",
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.slow
def test_a_photo_is_followed_live_read_and_deleted(
    api: TestClient,
    caller: MakeCaller,
    worker: subprocess.Popen[bytes],  # noqa: ARG001 (running beside)
) -> None:
    ana = caller()
    sent = api.post(
        "/api/v1/readings",
        headers=ana.headers,
        files=[("files", ("palm.jpg", photo("palm_f_hanging.jpg"), "image/jpeg"))],
        data={"analysis_types": ["heart", "life"]},
    ).json()
    item = sent["items"][0]
    seen = follow(api, f"/api/v1/jobs/{item['job_id']}/events", ana)
    ids = [int(event["id"]) for event in seen]
    assert ids == sorted(set(ids)) and seen[-1]["event"] == "end"
    assert seen[-1]["data"]["state"] == "finished" and seen[-1]["data"]["progress"] == 1.0
    assert all(event["event"] == "progress" for event in seen[:-1])

    resumed = events(api, f"/api/v1/jobs/{item['job_id']}/events", ana, last=str(ids[0]))
    assert [e["id"] for e in resumed] == [str(ids[-1])]  # only what came after the cut
    assert events(api, f"/api/v1/jobs/{item['job_id']}/events", ana, last=str(ids[-1])) == []
    batch = follow(api, sent["events"], ana)
    assert batch[-1]["event"] == "end" and batch[-1]["data"]["finished"] == 1

    reading = api.get(f"/api/v1/readings/{item['reading_id']}", headers=ana.headers).json()
    assert reading["status"] == "done" and reading["hand"] in ("left", "right")
    assert {i["analysis_type"] for i in reading["interpretations"]} == {
        "love",
        "life",
    }  # "heart" is the alias of love
    assert any(line["found"] and line["length_rel"] for line in reading["lines"])
    png = api.get(reading["overlay_url"], headers=ana.headers)
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"

    assert (
        api.delete(f"/api/v1/readings/{item['reading_id']}", headers=ana.headers).status_code == 204
    )
    gone = api.get(f"/api/v1/readings/{item['reading_id']}", headers=ana.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "READING_NOT_FOUND")
