"""Home after sign-in, for every role: first steps for a new account; for a person with
readings their figures, latest overlay, lines chart, open chats and what is shared with them."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from palm import chat, explore
from palm.accounts import update_profile
from palm.db import transaction
from palm.runtime import get_runtime
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.views.conftest import AppFactory, analysed, make_user


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def links(app: AppTest) -> list[str]:
    return [str(getattr(link, "label", "")) for link in app.get("page_link")]


@pytest.mark.parametrize("role", list(Role))
def test_a_new_account_gets_first_steps_and_one_clear_action(
    app_as: AppFactory, role: Role
) -> None:
    app = app_as(role).run()
    assert not app.exception and not app.error
    assert [title.value for title in app.title] == ["Welcome to Palmline"]
    assert next(info.value for info in app.info).startswith("You have no readings yet")
    assert links(app).count("Analyze a new photo") == 1
    assert not app.metric
    assert f"Hello\\, {role}" in [header.value for header in app.subheader]


def test_a_person_with_readings_sees_figures_latest_chart_chats_and_shares(
    app_as: AppFactory,
) -> None:
    app = app_as(Role.USER)
    app.run()
    ana = int(app.session_state[USER_KEY])
    runtime = get_runtime()
    ben = make_user(runtime.session_factory, "ben@example.com", Role.USER)
    analysed(ana, "first.jpg")
    latest = analysed(ana, "[latest](http://evil).jpg")
    bens = analysed(ben, "bens.jpg")
    with transaction(runtime.session_factory) as session:
        update_profile(session, ana, display_name="Ana", hand="left")
        chat.create_conversation(session, runtime.cipher, ana, reading_id=latest, title="My love")
    explore.share_reading(runtime.session_factory, runtime.redis, ben, bens, "user@example.com")
    app.run()
    assert not app.exception and not app.error
    assert metrics(app) == {"Readings this month": "2", "All time": "2", "Streak": "1 day"}
    assert "[latest](http://evil).jpg" in [text.value for text in app.text]  # plain text
    assert len(app.get("image")) == 1  # the latest reading's overlay
    assert len(app.get("plotly_chart")) == 1
    assert "Hello\\, Ana" in [header.value for header in app.subheader]
    assert "Open chats (1)" in [header.value for header in app.subheader]
    assert "Shared with me (1)" in [header.value for header in app.subheader]
    assert "My love" in links(app)
    assert any("from ben" in label for label in links(app))
