"""The Preferences page for every role: the saved choices fill the widgets, the preview
follows an unsaved change at once, saving stores them for the next reading."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.accounts import load_preferences
from palm.db import transaction
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.views.conftest import AppFactory


def open_preferences(app_as: AppFactory, role: Role = Role.USER) -> AppTest:
    app = app_as(role).run()
    app.switch_page("views/preferences.py").run()
    assert not app.exception
    return app


def preview_title(app: AppTest) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**")).strip("*")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_the_defaults_and_a_preview(app_as: AppFactory, role: Role) -> None:
    app = open_preferences(app_as, role)
    assert [title.value for title in app.title] == ["Preferences"]
    assert app.radio(key="prefs_tone").value == "warm"
    assert app.selectbox(key="prefs_language").value == "en"
    assert preview_title(app) == "Life path \\(life line\\)"
    assert not app.error


def test_the_preview_follows_an_unsaved_change_and_saving_keeps_it(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = open_preferences(app_as)
    app.selectbox(key="prefs_language").set_value("es")
    app.radio(key="prefs_tone").set_value("matter_of_fact")
    app.radio(key="prefs_length").set_value("short")
    app.selectbox(key="prefs_time_zone").set_value("Europe/Madrid")
    app.run()
    assert preview_title(app).startswith("Camino de vida")
    user_id = int(app.session_state[USER_KEY])
    with transaction(session_factory) as session:
        assert load_preferences(session, user_id).language == "en"  # not saved yet
    app.button(key="prefs_save").click().run()
    assert [s.value for s in app.success] == ["Preferences saved: your next reading follows them."]
    with transaction(session_factory) as session:
        saved = load_preferences(session, user_id)
    assert (saved.language, saved.tone, saved.length, saved.time_zone) == (
        "es",
        "matter_of_fact",
        "short",
        "Europe/Madrid",
    )


def test_saving_without_any_kind_of_reading_is_refused(app_as: AppFactory) -> None:
    app = open_preferences(app_as)
    app.multiselect(key="prefs_types").set_value([])
    app.button(key="prefs_save").click().run()
    assert [e.value for e in app.error] == ["Pick at least one kind of reading\\."]
    assert not app.success
