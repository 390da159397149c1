"""A deprecated operation says so in its headers and in the schema before it goes."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from palm.api.deprecation import deprecated


def test_a_deprecated_route_sends_deprecation_and_sunset_and_its_successor() -> None:
    app = FastAPI()
    announce = deprecated(date(2027, 1, 1), date(2027, 7, 1), "/api/v2/things")

    @app.get("/old", deprecated=True, dependencies=[Depends(announce)])
    def old() -> dict[str, str]:
        return {"still": "here"}

    with TestClient(app) as client:
        response = client.get("/old")
    assert response.headers["deprecation"] == "@1798761600"
    assert response.headers["sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"
    assert response.headers["link"] == '</api/v2/things>; rel="successor-version"'
    assert app.openapi()["paths"]["/old"]["get"]["deprecated"] is True
