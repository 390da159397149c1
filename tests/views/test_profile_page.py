"""The Profile & security page through its real widgets, for every role: name and hand,
e-mail and password changes (refusals say why), sessions revoked, recent sign-ins."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.accounts import get_profile, list_sessions, open_session, resolve_session, users
from palm.db import transaction
from palm.models import Job
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.views.conftest import PASSWORD, AppFactory, make_user
from tests.workers.burst import run_burst_worker

NEW_PASSWORD = "violet kettle orbit 42"
IDLE = 3600


def open_profile(app_as: AppFactory, role: Role = Role.USER) -> AppTest:
    app = app_as(role).run()
    app.switch_page("views/profile.py").run()
    assert not app.exception
    return app


def press(app: AppTest, label: str) -> AppTest:
    next(button for button in app.button if button.label == label).click()
    return app.run()


def user_id(app: AppTest) -> int:
    return int(app.session_state[USER_KEY])


def errors(app: AppTest) -> list[str]:
    """The error messages as read (untrusted-text escapes removed)."""
    return [error.value.replace("\\", "") for error in app.error]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_its_own_profile(app_as: AppFactory, role: Role) -> None:
    app = open_profile(app_as, role)
    assert [title.value for title in app.title] == ["Profile & security"]
    assert f"{role}@example.com" in [text.value for text in app.text]
    assert not app.error


def test_name_and_dominant_hand_are_saved(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = open_profile(app_as)
    app.text_input(key="profile_name").input("Ana López")
    app.radio(key="profile_hand").set_value("left")
    app = press(app, "Save profile")
    assert [s.value for s in app.success] == ["Profile saved."]
    with transaction(session_factory) as session:
        saved = get_profile(session, user_id(app))
    assert (saved.display_name, saved.dominant_hand) == ("Ana López", "left")


def change_email(app: AppTest, email: str, password: str) -> AppTest:
    app.text_input(key="profile_email_new").input(email)
    app.text_input(key="profile_email_pw").input(password)
    return press(app, "Change e-mail")


def test_email_change_refusals_say_why_and_a_good_one_moves_the_account(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        users.create_user(session, "taken@example.com", PASSWORD, Role.USER)
    app = open_profile(app_as)
    assert errors(change_email(app, "new@example.com", "wrong")) == [
        "That is not your current password."
    ]
    assert "already exists" in errors(change_email(app, "taken@example.com", PASSWORD))[0]
    app = change_email(app, "new@example.com", PASSWORD)
    assert not app.error
    with transaction(session_factory) as session:
        assert get_profile(session, user_id(app)).email == "new@example.com"


def change_password(app: AppTest, old: str, new: str, repeat: str | None = None) -> AppTest:
    app.text_input(key="profile_pw_old").input(old)
    app.text_input(key="profile_pw_new").input(new)
    app.text_input(key="profile_pw_rep").input(new if repeat is None else repeat)
    return press(app, "Change password")


def test_password_change_refusals_and_a_change_that_signs_out_other_browsers(
    app_as: AppFactory, redis_client: Redis
) -> None:
    app = open_profile(app_as)
    other = open_session(redis_client, user_id(app), "Firefox/130", idle_seconds=IDLE)
    assert errors(change_password(app, PASSWORD, NEW_PASSWORD, "typo")) == [
        "The two new passwords differ."
    ]
    assert errors(change_password(app, "wrong", NEW_PASSWORD)) == [
        "That is not your current password."
    ]
    assert "at least 10" in errors(change_password(app, PASSWORD, "short"))[0]
    assert resolve_session(redis_client, other, idle_seconds=IDLE) is not None
    app = change_password(app, PASSWORD, NEW_PASSWORD)
    assert [s.value for s in app.success] == [
        "Your password is changed; 1 other session signed out."
    ]
    assert resolve_session(redis_client, other, idle_seconds=IDLE) is None


def test_sessions_are_listed_and_one_is_revoked(app_as: AppFactory, redis_client: Redis) -> None:
    app = app_as(Role.USER)
    app.run()
    me = user_id(app)
    first = open_session(redis_client, me, "Firefox/130 [x](http://evil)", idle_seconds=IDLE)
    open_session(redis_client, me, "Safari/17", idle_seconds=IDLE)
    app.switch_page("views/profile.py").run()
    shown = [text.value for text in app.text]
    assert "Firefox/130 [x](http://evil)" in shown and "Safari/17" in shown  # as plain text
    app = press(app, "Revoke")  # the most recently used first: Safari
    assert [entry.user_agent for entry in list_sessions(redis_client, me)] == [
        "Firefox/130 [x](http://evil)"
    ]
    assert resolve_session(redis_client, first, idle_seconds=IDLE) is not None


def test_sign_out_everywhere_ends_every_session_and_this_tab(
    app_as: AppFactory, redis_client: Redis
) -> None:
    app = open_profile(app_as)
    me = user_id(app)
    tokens = [open_session(redis_client, me, "", idle_seconds=IDLE) for _ in range(2)]
    app = press(app, "Sign out everywhere")
    assert USER_KEY not in app.session_state
    assert all(resolve_session(redis_client, t, idle_seconds=IDLE) is None for t in tokens)
    assert [tab.label for tab in app.tabs] == ["Log in", "Create an account"]


def test_recent_sign_ins_come_from_the_audit_log(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = open_profile(app_as)
    with transaction(session_factory) as session:
        users.authenticate(session, "user@example.com", PASSWORD, user_agent="Firefox/130")
    app.run()
    table = app.dataframe[0].value
    assert list(table["Outcome"]) == ["signed in"]
    assert list(table["Browser"]) == ["Firefox/130"]


def delete(app: AppTest, phrase: str, password: str) -> AppTest:
    app.text_input(key="profile_delete_phrase").input(phrase)
    app.text_input(key="profile_delete_pw").input(password)
    return press(app, "Delete my account for good")


@pytest.mark.parametrize("role", list(Role))
def test_deleting_the_account_needs_the_phrase_and_password_then_signs_in_no_more(
    app_as: AppFactory, session_factory: sessionmaker[Session], role: Role
) -> None:
    app = open_profile(app_as, role)
    me = user_id(app)
    if role == Role.ADMIN:
        assert errors(delete(app, "delete my account", PASSWORD)) == [
            "You are the only admin: make someone else admin first."
        ]
        make_user(session_factory, "other-admin@example.com", Role.ADMIN)
    assert errors(delete(app, "delete", PASSWORD)) == ["Type “delete my account” to confirm."]
    assert errors(delete(app, "delete my account", "wrong")) == ["That is not your password."]
    app = delete(app, "Delete my account", PASSWORD)
    assert USER_KEY not in app.session_state
    assert [tab.label for tab in app.tabs] == ["Log in", "Create an account"]
    with transaction(session_factory) as session:
        assert users.get_user(session, me) is None
        with pytest.raises(users.AccountError):
            users.authenticate(session, f"{role}@example.com", PASSWORD)


def test_export_my_data_runs_as_one_job_and_offers_the_zip(
    app_as: AppFactory, app_env: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    app = open_profile(app_as)
    assert not app.get("download_button")
    app.button(key="export_request").click().run()
    assert not app.exception
    app.run()
    assert app.button(key="export_request").disabled  # while it runs: no second job
    with transaction(session_factory) as session:
        kinds = [job.kind for job in session.scalars(select(Job))]
    assert kinds == ["export"]
    result = run_burst_worker(
        app_env["REDIS_URL"], app_env["DATABASE_URL"], Path(app_env["PALM_DATA_DIR"])
    )
    assert result.returncode == 0, result.stderr[-2000:]
    app.run()
    assert not app.exception
    labels = [getattr(button, "label", "") for button in app.get("download_button")]
    assert labels == ["Download my data (zip)"]
    assert any("then deleted" in caption.value for caption in app.caption)
