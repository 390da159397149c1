"""/api/v1/admin: queues and workers for an admin's admin-scoped token; anyone else is
refused (a person cannot even hold the scope; an analyst's role is not enough)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from palm.vocabulary import Role
from tests.api.conftest import MakeCaller


def test_an_admin_sees_the_queues_and_workers(api: TestClient, caller: MakeCaller) -> None:
    admin = caller(Role.ADMIN)
    queues = api.get("/api/v1/admin/queues", headers=admin.headers).json()
    assert {row["queue"] for row in queues["registries"]} >= {"analysis"}
    assert api.get("/api/v1/admin/workers", headers=admin.headers).json() == []


def test_an_analyst_and_an_admin_without_the_scope_are_forbidden(
    api: TestClient, caller: MakeCaller
) -> None:
    analyst = caller(Role.ANALYST)
    unscoped = caller(Role.ADMIN, scopes=["read", "write"])
    person = caller(Role.USER)
    for who, code in (
        (analyst, "FORBIDDEN"),
        (unscoped, "INSUFFICIENT_SCOPE"),
        (person, "INSUFFICIENT_SCOPE"),
    ):
        response = api.get("/api/v1/admin/queues", headers=who.headers)
        assert (response.status_code, response.json()["code"]) == (403, code)
