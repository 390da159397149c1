"""The published OpenAPI document: every error response of every operation is documented
the one way it is sent (``application/problem+json``, the Problem schema), and each
operation lists the refusals any request of its kind can get (401/403 without the right
token, 422 for invalid parameters, 413/415 for bodies, 429 for every request a token makes
counts against its limit)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from palm.api.problems import PROBLEM_JSON, Problem

REF = "#/components/schemas/Problem"
PUBLIC = {"/api/v1/openapi.json", "/api/v1/docs"}


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": {"$ref": REF}}},
    }


def _standardise(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    wanted = {401, 403, 429}
    if operation.get("parameters") or "requestBody" in operation:
        wanted.add(422)
    if "requestBody" in operation:
        wanted |= {400, 413, 415}
    for code in sorted(wanted):
        responses.setdefault(str(code), {})
    for status in list(responses):
        if status.isdigit() and int(status) >= 400:
            responses[status] = _problem(int(status))


def build_schema(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, standardised, cached on the app like FastAPI's own."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, operations in schema.get("paths", {}).items():
        if path in PUBLIC:
            continue
        for operation in operations.values():
            _standardise(operation)
    app.openapi_schema = schema
    return schema


def schema_text(app: FastAPI) -> str:
    """The document as committed in docs/api/openapi-v1.json (sorted keys, 2-space indent)."""
    return json.dumps(build_schema(app), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def install(app: FastAPI) -> None:
    app.openapi = lambda: build_schema(app)  # type: ignore[method-assign]
