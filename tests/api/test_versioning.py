"""The served v1 schema is the committed docs/api/openapi-v1.json: a change to the API shows
up as a change to that file in review, and a removal within v1 fails here by name."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from palm.api import schema_text
from palm.settings import PROJECT_ROOT

COMMITTED = PROJECT_ROOT / "docs" / "api" / "openapi-v1.json"
METHODS = ("get", "post", "put", "patch", "delete")


def operations(schema: dict[str, Any]) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    }


def properties(schema: dict[str, Any]) -> set[str]:
    return {
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field in component.get("properties", {})
    }


def test_nothing_committed_in_v1_was_removed(api: TestClient) -> None:
    committed = json.loads(COMMITTED.read_text())
    served = api.get("/api/v1/openapi.json").json()
    assert operations(committed) - operations(served) == set(), "v1 operations removed"
    assert properties(committed) - properties(served) == set(), "v1 response fields removed"


def test_the_served_schema_is_the_committed_one(api: TestClient) -> None:
    served = api.get("/api/v1/openapi.json").json()
    message = "regenerate: python -m palm api --print-schema > docs/api/openapi-v1.json"
    assert served == json.loads(COMMITTED.read_text()), message
    assert schema_text() == COMMITTED.read_text()
