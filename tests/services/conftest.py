"""Fixtures for reading services: users, an encrypted blob store, sample photos."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra.storage import BlobStore
from palm.models import Role
from palm.services import users
from palm.services.submission import BatchLimits
from palm.settings import PROJECT_ROOT

PALMS = PROJECT_ROOT / "tests" / "data" / "palms"
LIMITS = BatchLimits(max_files=5, max_bytes=5 * 1024 * 1024, retries=0, timeout=120)


def photo(name: str) -> bytes:
    return (PALMS / name).read_bytes()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "images", MultiFernet([Fernet(Fernet.generate_key())]))


@pytest.fixture
def make_account(session_factory: sessionmaker[Session]) -> Callable[..., int]:
    def create(email: str, role: Role = Role.USER) -> int:
        with transaction(session_factory) as session:
            return users.create_user(session, email, "correct horse battery", role).id

    return create
