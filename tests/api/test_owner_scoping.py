"""Every route that takes an id answers 404 for another person's id, whatever their role,
and never a byte of the data (the pages' owner scoping, behind HTTP)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from palm.vocabulary import Role
from tests.api.conftest import MakeCaller
from tests.support.photos import photo

ROUTES = [
    ("GET", "/api/v1/readings/{reading}"),
    ("GET", "/api/v1/readings/{reading}/overlay.png"),
    ("DELETE", "/api/v1/readings/{reading}"),
    ("GET", "/api/v1/batches/{batch}"),
    ("GET", "/api/v1/batches/{batch}/events"),
    ("GET", "/api/v1/jobs/{job}"),
    ("GET", "/api/v1/jobs/{job}/events"),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_another_persons_id_is_not_found(
    api: TestClient, caller: MakeCaller, role: Role, method: str, route: str
) -> None:
    ana, other = caller(), caller(role)
    sent = api.post(
        "/api/v1/readings",
        headers=ana.headers,
        files=[("files", ("ana.jpg", photo("palm_f_hanging.jpg"), "image/jpeg"))],
    ).json()
    item = sent["items"][0]
    url = route.format(reading=item["reading_id"], batch=sent["batch_id"], job=item["job_id"])
    response = api.request(method, url, headers=other.headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "ana" not in response.text
    assert api.get(f"/api/v1/readings/{item['reading_id']}", headers=ana.headers).is_success
