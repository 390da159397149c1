"""The Profile page's API tokens: created with a name, scopes and expiry, the secret shown
once (the next run no longer has it), listed without it, revoked; the token works on the API
until revoked."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.accounts import resolve_token
from palm.api import create_app
from palm.db import transaction
from palm.models import ApiToken
from palm.vocabulary import Role
from tests.views.conftest import AppFactory


def open_profile(app_as: AppFactory, role: Role = Role.USER) -> AppTest:
    app = app_as(role).run()
    app.switch_page("views/profile.py").run()
    assert not app.exception
    return app


def create(app: AppTest, name: str, scopes: list[str], expiry: str = "30 days") -> AppTest:
    app.text_input(key="profile_token_name").input(name)
    app.multiselect(key="profile_token_scopes").set_value(scopes)
    app.selectbox(key="profile_token_expiry").set_value(expiry)
    next(b for b in app.button if b.label == "Create token").click()
    return app.run()


def test_a_token_is_shown_once_listed_without_its_secret_and_revoked(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = create(open_profile(app_as), "my notebook", ["read", "write"])
    assert not app.exception
    [secret] = [code.value for code in app.code]
    assert secret.startswith("palm_")
    assert "my notebook — " + secret[:12] + "…" in [text.value for text in app.text]
    with TestClient(create_app()) as api:
        headers = {"Authorization": f"Bearer {secret}"}
        assert api.get("/api/v1/readings", headers=headers).status_code == 200
        app = app.run()
        assert [code.value for code in app.code] == []  # shown once
        next(b for b in app.button if b.label == "Revoke").click()
        app = app.run()
        assert api.get("/api/v1/readings", headers=headers).status_code == 401
    assert any("revoked" in caption.value for caption in app.caption)
    with transaction(session_factory) as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.expires_at is not None and resolve_token(session, secret) is None


def test_a_person_is_not_offered_the_admin_scope_and_a_nameless_token_is_refused(
    app_as: AppFactory,
) -> None:
    app = open_profile(app_as)
    assert app.multiselect(key="profile_token_scopes").options == ["read", "write"]
    app = create(app, "", ["read"])
    assert [e.value for e in app.error] == ["Give the token a name you will recognise\\."]


def test_an_analyst_may_create_an_admin_token(app_as: AppFactory) -> None:
    app = open_profile(app_as, Role.ANALYST)
    assert "admin" in app.multiselect(key="profile_token_scopes").options
    app = create(app, "trends", ["read", "admin"], "never")
    assert [code.value for code in app.code] and not app.error
