"""Schemathesis against the live OpenAPI schema: every operation, generated requests (a
fixed seed, bounded examples), no 5xx, and every response matches what the schema says."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from palm.api import create_app
from tests.api.conftest import MakeCaller

EXAMPLES = 8
#: The app reads its settings on the first request, so one app serves every test's database.
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(stream_seconds=0.5))


@pytest.fixture
def headers(app_env: dict[str, str], caller: MakeCaller) -> dict[str, str]:  # noqa: ARG001
    """One account per operation (argon2 makes one per example slow)."""
    return caller().headers


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples every run: a failure is reproducible
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_schema(
    case: schemathesis.Case[Any], headers: dict[str, str]
) -> None:
    # A schema-valid request may still be refused for what it means (a cursor no page gave,
    # an id that is not yours): positive_data_acceptance would call that a failure.
    skipped = [schemathesis.checks.positive_data_acceptance]
    case.call_and_validate(headers=headers, excluded_checks=skipped)
