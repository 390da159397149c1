"""AppTest helpers: run app.py as a given role against the test database and Redis."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.accounts import users
from palm.db import transaction
from palm.readings import Upload, run_analysis, submit_batch
from palm.runtime import get_runtime
from palm.settings import PROJECT_ROOT
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.support.photos import LIMITS, photo

PASSWORD = "correct horse battery"
APP = str(PROJECT_ROOT / "app.py")

AppFactory = Callable[[Role | None], AppTest]


def make_user(factory: sessionmaker[Session], email: str, role: Role) -> int:
    with transaction(factory) as session:
        return users.create_user(session, email, PASSWORD, role).id


def analysed(user_id: int, name: str) -> int:
    """A finished reading written the way a worker writes one, with the app's own clients."""
    runtime = get_runtime()
    assert runtime.queues is not None
    batch = submit_batch(
        runtime.session_factory,
        runtime.queues,
        runtime.blob_store,
        user_id=user_id,
        uploads=[Upload(name, photo("palm_f_hanging.jpg"))],
        analysis_types=["love"],
        limits=LIMITS,
        allow_copies=True,
    )
    reading_id = batch.reading_ids[0]
    run_analysis(
        runtime.session_factory,
        runtime.blob_store,
        runtime.redis,
        None,
        runtime.settings,
        reading_id,
        lambda *_: None,
    )
    return reading_id


@pytest.fixture
def app_as(
    app_env: dict[str, str],  # noqa: ARG001  (requested for its effect: the app's settings)
    session_factory: sessionmaker[Session],
) -> AppFactory:
    """An AppTest of app.py, logged in as a fresh account of the given role (None: logged out)."""

    def build(role: Role | None) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=30)
        if role is not None:
            app.session_state[USER_KEY] = make_user(session_factory, f"{role}@example.com", role)
        return app

    return build
