"""An API client over the test database and Redis, and accounts with personal tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import create_token, create_user
from palm.api import create_app
from palm.db import transaction
from palm.vocabulary import Role

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Caller:
    user_id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


MakeCaller = Callable[..., Caller]


@pytest.fixture
def api(app_env: dict[str, str]) -> Iterator[TestClient]:  # noqa: ARG001 (its settings)
    """The app as `python -m palm api` builds it (streams end after 5 s in tests)."""
    with TestClient(create_app(stream_seconds=5.0)) as client:
        yield client


@pytest.fixture
def caller(session_factory: sessionmaker[Session]) -> MakeCaller:
    """An account of ``role`` with a token of ``scopes`` (all it may have by default)."""
    count = iter(range(1000))

    def make(role: Role = Role.USER, scopes: list[str] | None = None) -> Caller:
        email = f"{role}{next(count)}@example.com"
        wanted = scopes or (["read", "write"] if role == Role.USER else ["read", "write", "admin"])
        with transaction(session_factory) as session:
            user = create_user(session, email, PASSWORD, role)
            _, secret = create_token(session, user.id, name="test", scopes=wanted)
            return Caller(user.id, email, secret)

    return make
