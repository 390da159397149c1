"""The log-in page: sign up, log in, bad input, log out — through the real widgets."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.db import transaction
from palm.models import AuditEvent, User
from palm.settings import get_settings
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.views.conftest import PASSWORD, AppFactory, make_user


def sign_up(app: AppTest, email: str, password: str, repeat: str | None = None) -> AppTest:
    app.text_input(key="signup_email").input(email)
    app.text_input(key="signup_password").input(password)
    app.text_input(key="signup_repeat").input(password if repeat is None else repeat)
    return app.button[1].click().run()  # the form's submit button: Create account


def log_in(app: AppTest, email: str, password: str) -> AppTest:
    app.text_input(key="login_email").input(email)
    app.text_input(key="login_password").input(password)
    return app.button[0].click().run()


def counts(factory: sessionmaker[Session]) -> tuple[int, list[str]]:
    with transaction(factory) as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    return users, actions


def titles(app: AppTest) -> list[str]:
    return [title.value for title in app.title]


def test_first_sign_up_logs_in_as_admin(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = sign_up(app_as(None).run(), "ana@example.com", PASSWORD)
    assert not app.exception
    assert "Welcome to Palmline" in titles(app)
    assert any("admin" in caption.value for caption in app.sidebar.caption)
    assert counts(session_factory) == (1, ["sign_up"])


def test_log_in_and_log_out(app_as: AppFactory, session_factory: sessionmaker[Session]) -> None:
    make_user(session_factory, "ben@example.com", Role.USER)
    app = log_in(app_as(None).run(), "ben@example.com", PASSWORD)
    assert "Welcome to Palmline" in titles(app)
    app.sidebar.button(key="logout").click().run()
    assert USER_KEY not in app.session_state
    assert [tab.label for tab in app.tabs] == ["Log in", "Create an account"]
    assert counts(session_factory)[1][-2:] == ["login", "logout"]


def test_wrong_password_and_unknown_user_show_one_message(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    make_user(session_factory, "ben@example.com", Role.USER)
    for email, password in [
        ("ben@example.com", "not the password"),
        ("nobody@example.com", PASSWORD),
    ]:
        app = log_in(app_as(None).run(), email, password)
        assert [error.value for error in app.error] == ["Wrong e-mail or password."]
        assert USER_KEY not in app.session_state
    assert counts(session_factory)[1][-2:] == ["login_failed", "login_failed"]


def test_bad_sign_ups_say_why_and_create_nothing(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    make_user(session_factory, "ben@example.com", Role.USER)
    cases = [
        ("ben@example.com", PASSWORD, None, "already exists"),
        ("new@example.com", "short", None, "at least 10 characters"),
        ("not an email", PASSWORD, None, "valid e-mail"),
        ("new@example.com", PASSWORD, "different password", "differ"),
    ]
    for email, password, repeat, expected in cases:
        app = sign_up(app_as(None).run(), email, password, repeat)
        assert len(app.error) == 1 and expected in app.error[0].value, (email, app.error)
        assert USER_KEY not in app.session_state
    users, actions = counts(session_factory)
    assert users == 1
    assert actions[-3:] == ["sign_up", "sign_up", "sign_up"]  # the mismatch never reaches it


def test_repeated_failed_logins_are_slowed_with_the_wait_shown_and_audited(
    app_as: AppFactory, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALM_SIGN_IN_PER_PAIR", "2/minute")
    get_settings.cache_clear()
    make_user(session_factory, "ben@example.com", Role.USER)
    messages = [
        log_in(app_as(None).run(), "ben@example.com", "not the password").error[0].value
        for _ in range(3)
    ]
    assert re.fullmatch(
        r"Too many failed sign-in attempts to this account from this network; "
        r"try again in \d+ s\.",
        messages[-1],
    )
    app = log_in(app_as(None).run(), "ben@example.com", PASSWORD)
    assert USER_KEY not in app.session_state  # the same network waits, even with the password
    assert counts(session_factory)[1][-4:] == [
        "login_failed",
        "login_failed",
        "rate_limited",
        "rate_limited",
    ]


def test_sign_ups_from_one_network_are_limited(
    app_as: AppFactory, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALM_SIGN_UP_PER_ADDRESS", "1/hour")
    get_settings.cache_clear()
    sign_up(app_as(None).run(), "ana@example.com", PASSWORD)
    app = sign_up(app_as(None).run(), "ben@example.com", PASSWORD)
    assert [e.value.split(";")[0] for e in app.error] == ["Too many sign-ups from this network"]
    assert counts(session_factory) == (1, ["sign_up", "rate_limited"])
