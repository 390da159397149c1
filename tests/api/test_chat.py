"""Chat through the API: a thread about my reading, a question answered by the offline
reader (whole, or streamed as SSE), the messages, the export; others' threads are 404."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from tests.api.conftest import MakeCaller
from tests.explore.data import ReadingSpec, add_reading


def test_a_thread_is_asked_answered_streamed_and_exported(
    api: TestClient, caller: MakeCaller, session_factory: sessionmaker[Session]
) -> None:
    ana, ben = caller(), caller()
    with transaction(session_factory) as session:
        reading = add_reading(session, ReadingSpec(user_id=ana.user_id))
    thread = api.post(
        "/api/v1/conversations", headers=ana.headers, json={"reading_id": reading}
    ).json()
    assert thread["reading_id"] == reading
    url = f"/api/v1/conversations/{thread['id']}/messages"
    answer = api.post(url, headers=ana.headers, json={"text": "What does my heart line say?"})
    assert answer.status_code == 200 and answer.json()["role"] == "assistant"
    with api.stream(
        "POST", f"{url}?stream=true", headers=ana.headers, json={"text": "And my life line?"}
    ) as streamed:
        lines = [line for line in streamed.iter_lines() if line.startswith(("event:", "data:"))]
    assert "event: delta" in lines and lines[-2] == "event: end"
    assert json.loads(lines[-1].removeprefix("data: "))["role"] == "assistant"
    messages = api.get(url, headers=ana.headers).json()
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    markdown = api.get(f"/api/v1/conversations/{thread['id']}/export", headers=ana.headers)
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "heart line" in markdown.text
    assert [t["id"] for t in api.get("/api/v1/conversations", headers=ana.headers).json()] == [
        thread["id"]
    ]
    for method, route in (
        ("GET", url),
        ("POST", url),
        ("GET", f"/api/v1/conversations/{thread['id']}/export"),
    ):
        body = {"text": "hello"} if method == "POST" else None
        response = api.request(method, route, headers=ben.headers, json=body)
        assert response.status_code == 404, route
    assert api.get("/api/v1/conversations", headers=ben.headers).json() == []
    stranger = api.post("/api/v1/conversations", headers=ben.headers, json={"reading_id": reading})
    assert stranger.status_code == 404
