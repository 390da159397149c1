"""Every page in a role's navigation renders; pages a role may not see refuse it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.settings import PROJECT_ROOT, get_settings
from palm.ui.auth import USER_KEY
from palm.ui.navigation import PAGES, specs_for
from palm.vocabulary import Role
from tests.views.conftest import AppFactory, make_user


@pytest.mark.parametrize("role", list(Role))
def test_every_page_in_the_navigation_renders_for_the_role(app_as: AppFactory, role: Role) -> None:
    app = app_as(role).run()
    assert not app.exception
    for spec in specs_for(role):
        app.switch_page(spec.path).run()
        assert not app.exception, f"{spec.path} raised for {role}"
        assert not app.error, f"{spec.path} showed an error for {role}: {app.error[0].value}"


def test_logged_out_visitor_sees_only_the_login_page(app_as: AppFactory) -> None:
    app = app_as(None).run()
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["Log in", "Create an account"]
    assert "Welcome to Palmline" not in [title.value for title in app.title]


@pytest.mark.parametrize("role", [Role.USER, Role.ANALYST])
def test_admin_page_refuses_other_roles_even_when_opened_directly(
    app_as: AppFactory, role: Role
) -> None:
    assert "views/admin.py" not in [spec.path for spec in specs_for(role)]
    app = app_as(role).run()
    app.switch_page("views/admin.py").run()
    assert "Admin" not in [title.value for title in app.title]
    assert not any(tab.label == "Accounts" for tab in app.tabs)


def test_admin_navigation_has_every_page() -> None:
    assert [spec.path for spec in specs_for(Role.ADMIN)] == [spec.path for spec in PAGES]


@pytest.mark.usefixtures("app_env")
@pytest.mark.parametrize("role", [Role.USER, Role.ANALYST])
def test_admin_page_script_itself_refuses_other_roles(
    session_factory: sessionmaker[Session], role: Role
) -> None:
    page = AppTest.from_file(str(PROJECT_ROOT / "views" / "admin.py"), default_timeout=30)
    page.session_state[USER_KEY] = make_user(session_factory, "someone@example.com", role)
    page.run()
    assert [error.value for error in page.error] == ["You do not have access to this page."]
    assert not page.tabs


@pytest.mark.usefixtures("app_env")
def test_pages_refuse_a_logged_out_visitor() -> None:

    for spec in PAGES:
        page = AppTest.from_file(str(PROJECT_ROOT / spec.path), default_timeout=30).run()
        assert [error.value for error in page.error] == ["Please log in first."], spec.path


def test_redis_down_shows_a_banner_not_a_traceback(
    app_as: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    app = app_as(Role.USER).run()
    assert not app.exception
    assert any("redis://127.0.0.1:1/0" in warning.value for warning in app.warning)
    app.switch_page("views/analyze.py").run()
    assert not app.exception
