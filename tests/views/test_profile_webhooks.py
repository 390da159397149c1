"""The Profile page's webhooks: added (a private URL refused unless allowed; the secret
shown once), listed with their delivery log, a failed delivery sent again, removed."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm import webhooks
from palm.db import transaction
from palm.jobs import DEFAULT_QUEUE
from palm.models import WebhookDelivery, WebhookEndpoint
from palm.settings import get_settings
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.views.conftest import AppFactory

URL = "http://127.0.0.1:9/hook"


def open_profile(app_as: AppFactory) -> AppTest:
    app = app_as(Role.USER).run()
    app.switch_page("views/profile.py").run()
    assert not app.exception
    return app


def add(app: AppTest, url: str) -> AppTest:
    app.text_input(key="profile_hook_url").input(url)
    next(b for b in app.button if b.label == "Add webhook").click()
    return app.run()


def test_a_private_url_is_refused_by_default(app_as: AppFactory) -> None:
    app = add(open_profile(app_as), URL)
    assert [e.value.replace("\\", "") for e in app.error] == [
        "That address is on a private or local network; webhooks go to public ones."
    ]


def test_a_webhook_is_added_its_failed_delivery_sent_again_and_removed(
    app_as: AppFactory,
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PALM_WEBHOOK_ALLOW_PRIVATE", "1")
    get_settings.cache_clear()
    app = add(open_profile(app_as), URL)
    [secret] = [code.value for code in app.code]
    assert secret.startswith("whsec_") and URL in [t.value for t in app.text]
    user_id = int(app.session_state[USER_KEY])
    with transaction(session_factory) as session:
        [delivery_id] = webhooks.emit(session, user_id, "reading.completed", {"reading_id": 1})
        session.execute(update(WebhookDelivery).values(status="failed", error="HTTP 500"))
    app = app.run()
    assert [c.value for c in app.code] == []  # the secret was shown once
    next(b for b in app.button if b.label == "Redeliver the latest failed one").click()
    app = app.run()
    assert not app.exception
    with transaction(session_factory) as session:
        assert session.get_one(WebhookDelivery, delivery_id).status == "pending"
    assert Queue(DEFAULT_QUEUE, connection=redis_client).count == 1
    next(b for b in app.button if b.label == "Remove").click()
    app.run()
    with transaction(session_factory) as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


def test_a_new_secret_is_shown_once_and_the_old_one_keeps_signing_for_a_day(
    app_as: AppFactory, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALM_WEBHOOK_ALLOW_PRIVATE", "1")
    get_settings.cache_clear()
    app = add(open_profile(app_as), URL)
    [first] = [code.value for code in app.code]
    next(b for b in app.button if b.label == "New secret").click()
    app = app.run()
    assert not app.exception
    [second] = [code.value for code in app.code]
    assert second.startswith("whsec_") and second != first
    assert any("previous secret also signs until" in c.value for c in app.caption)
    with transaction(session_factory) as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        assert (endpoint.secret, endpoint.previous_secret) == (second, first)
    assert [c.value for c in app.run().code] == []


@pytest.mark.parametrize(
    ("role", "system"), [(Role.USER, False), (Role.ANALYST, False), (Role.ADMIN, True)]
)
def test_only_admins_are_offered_the_system_events(
    app_as: AppFactory, role: Role, system: bool
) -> None:
    app = app_as(role).run()
    app.switch_page("views/profile.py").run()
    assert not app.exception
    offered = app.multiselect(key="profile_hook_events").options
    assert set(webhooks.EVENTS) <= set(offered)
    assert ("system.job_failed" in offered) is system
    assert ("system.worker_died" in offered) is system
