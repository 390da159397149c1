"""The Admin page's Accounts tab: disabling an account needs the confirmation, signs that
person's open tab out on its next action and ends their sessions; enabling lets them back;
an admin cannot disable themselves. Other roles never see the tab."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redis import Redis
from streamlit.testing.v1 import AppTest

from palm.accounts import open_session, resolve_session
from palm.ui.auth import USER_KEY
from palm.ui.text import plain
from palm.vocabulary import Role
from tests.views.conftest import AppFactory

IDLE = 3600


def open_accounts(app_as: AppFactory) -> AppTest:
    app = app_as(Role.ADMIN)
    app.run()
    app.switch_page("views/admin.py").run()
    assert not app.exception
    return app


def shown(elements: Iterable[Any]) -> list[str]:
    return [element.value for element in elements]


def press(app: AppTest, do: str, *, confirm: bool, email: str) -> AppTest:
    app.selectbox(key="admin_disable_email").set_value(email)
    app.checkbox(key="admin_disable_confirm").set_value(confirm)
    app.radio(key="admin_disable_do").set_value(do)
    next(b for b in app.button if b.label == "Disable or enable").click().run()
    assert not app.exception
    return app


def test_disabling_signs_the_person_out_on_their_next_action(
    app_as: AppFactory, redis_client: Redis
) -> None:
    person = app_as(Role.USER)
    person.run()
    person_id = person.session_state[USER_KEY]
    token = open_session(redis_client, person_id, "Firefox/130", idle_seconds=IDLE)
    admin = open_accounts(app_as)
    press(admin, "Disable", confirm=False, email="user@example.com")
    assert shown(admin.error) == [plain("Tick the confirmation first.")]
    assert resolve_session(redis_client, token, idle_seconds=IDLE) is not None
    press(admin, "Disable", confirm=True, email="user@example.com")
    assert plain("user@example.com is disabled; 1 session(s) ended.") in shown(admin.success)
    table = next(d.value for d in admin.dataframe if "disabled" in d.value.columns)
    assert table.set_index("email")["disabled"].notna().to_dict() == {
        "admin@example.com": False,
        "user@example.com": True,
    }
    assert resolve_session(redis_client, token, idle_seconds=IDLE) is None
    person.run()  # the person's next action
    assert USER_KEY not in person.session_state
    assert [tab.label for tab in person.tabs] == ["Log in", "Create an account"]
    press(admin, "Enable", confirm=True, email="user@example.com")
    assert plain("user@example.com is enabled.") in shown(admin.success)


def test_an_admin_cannot_disable_their_own_account(app_as: AppFactory) -> None:
    admin = open_accounts(app_as)
    press(admin, "Disable", confirm=True, email="admin@example.com")
    assert shown(admin.error) == [plain("You cannot disable your own account.")]
    admin.run()
    assert admin.session_state[USER_KEY] is not None and not admin.exception
    assert any(t.label == "Accounts" for t in admin.tabs)
