"""The server entry (web.py) as the browser meets it: the page, Streamlit's own static
assets, media files and downloads, health checks, Palmline's routes and a 404 all carry the
frame, sniffing and referrer headers. The real st.App runs in-process under Starlette's test
client (its lifespan starts Streamlit's runtime and stops it afterwards)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from streamlit import runtime

EXPECTED = {
    "x-frame-options": "SAMEORIGIN",
    "content-security-policy": "frame-ancestors 'self'",
    "x-content-type-options": "nosniff",
}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


@pytest.fixture
def client(app_env: dict[str, str]) -> Iterator[TestClient]:  # noqa: ARG001  (its settings)
    from web import app

    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def guarded(headers: object) -> dict[str, str | None]:
    return {name: headers.get(name) for name in EXPECTED}  # type: ignore[attr-defined]


def test_every_kind_of_response_carries_the_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', page.text)
    assert script is not None, "the page names its script bundle"
    media = runtime.get_instance().media_file_mgr
    image = media.add(PNG, "image/png", "test.image")
    attachment = media.add(PNG, "image/png", "test.download", "palm.png", True)
    responses = {
        "page": page,
        "another page's address": client.get("/compare"),
        "static asset": client.get("/" + script.group(1)),
        "favicon": client.get("/favicon.png"),
        "media file": client.get(image),
        "download": client.get(attachment),
        "health": client.get("/_stcore/health"),
        "history CSV, signed out": client.get("/export/history.csv"),
        "missing media": client.get("/media/0000.png"),
    }
    statuses = {what: response.status_code for what, response in responses.items()}
    assert statuses == {
        "page": 200,
        "another page's address": 200,
        "static asset": 200,
        "favicon": 200,
        "media file": 200,
        "download": 200,
        "health": 200,
        "history CSV, signed out": 401,
        "missing media": 404,
    }
    assert responses["media file"].content == PNG
    assert "attachment" in responses["download"].headers["content-disposition"]
    for what, response in responses.items():
        assert guarded(response.headers) == EXPECTED, what
