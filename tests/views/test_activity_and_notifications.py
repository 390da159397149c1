"""The Activity page for every role (filters, pages) and notifications on any page: a toast
once when a job ends, none for jobs that ended before the tab opened, the bell's list."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm import jobs
from palm.accounts import update_profile
from palm.db import transaction
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.views.conftest import AppFactory


def user_id(app: AppTest) -> int:
    return int(app.session_state[USER_KEY])


def end_job(factory: sessionmaker[Session], owner: int, rq_id: str, kind: str, ok: bool) -> None:
    with transaction(factory) as session:
        jobs.create_job(session, rq_id=rq_id, kind=kind, queue="default", user_id=owner)
        if ok:
            jobs.mark_finished(session, rq_id)
        else:
            jobs.mark_failed(session, rq_id, error_code="X", error="boom", will_retry=False)


def toasts(app: AppTest) -> list[str]:
    return [toast.value for toast in app.toast]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_its_own_timeline_and_filters_it(
    app_as: AppFactory, session_factory: sessionmaker[Session], role: Role
) -> None:
    app = app_as(role).run()
    with transaction(session_factory) as session:
        for name in ("Ana", "Ana L.", "Ana López"):
            update_profile(session, user_id(app), display_name=name, hand=None)
    app.switch_page("views/activity.py").run()
    assert not app.exception and not app.error
    assert [title.value for title in app.title] == ["Activity"]
    texts = [text.value for text in app.main.text]
    assert texts == ["Profile updated"] * 3 + ["Account created"]
    app.multiselect(key="activity_kinds").set_value(["sign_in"]).run()
    assert [info.value for info in app.info] == ["Nothing here yet for these filters."]


def test_the_timeline_is_paginated(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.USER).run()
    with transaction(session_factory) as session:
        for index in range(30):
            update_profile(session, user_id(app), display_name=f"n{index}", hand=None)
    app.switch_page("views/activity.py").run()
    assert len(app.main.text) == 25
    assert "Page 1 of 2 · 31 events" in [caption.value for caption in app.caption]
    app.button(key="activity_older").click().run()
    assert "Page 2 of 2 · 31 events" in [caption.value for caption in app.caption]
    assert app.button(key="activity_older").disabled


def test_a_job_that_ends_while_the_tab_is_open_toasts_once_on_any_page(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.USER)
    me = int(app.session_state[USER_KEY])
    end_job(session_factory, me, "before", "analysis", ok=True)  # before the tab opened
    app.run()
    assert not toasts(app)
    app.switch_page("views/history.py").run()
    end_job(session_factory, me, "export-1", "export", ok=True)
    end_job(session_factory, me, "reading-1", "analysis", ok=False)
    app.run()
    assert toasts(app) == ["Your data export is ready.", "Your reading failed."]
    app.run()
    assert not toasts(app)  # once
    labels = [getattr(link, "label", "") for link in app.sidebar.get("page_link")]
    assert [label.split(" 20")[0] for label in labels] == [
        "Your reading failed\\.",
        "Your data export is ready\\.",
        "Your reading is ready\\.",
    ]


def test_the_analyze_page_names_its_photos_itself_so_no_second_toast(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.USER)
    app.run()
    app.switch_page("views/analyze.py").run()
    end_job(session_factory, user_id(app), "reading-2", "analysis", ok=True)
    app.run()
    assert not [t for t in toasts(app) if t.startswith("Your reading")]
