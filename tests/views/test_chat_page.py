"""The Chat page through AppTest: ask, see the streamed reply and suggestions; templates,
suggestion buttons, organisation, search jumps, the reading link, and owner scoping."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.db import transaction
from palm.models import Conversation, Message
from palm.runtime import reset_runtime
from palm.settings import get_settings
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.chat.support import done_reading, right_fire_hand
from tests.support.rendered import text_of
from tests.views.conftest import AppFactory, make_user


def chat_page(app_as: AppFactory, factory: sessionmaker[Session]) -> tuple[AppTest, int]:
    """A user with one finished reading, on the Chat page opened from that reading."""
    app = app_as(Role.USER)
    with transaction(factory) as session:
        reading_id = done_reading(session, app.session_state[USER_KEY], right_fire_hand())
    app.query_params["reading"] = str(reading_id)
    app.run()
    app.switch_page("views/chat.py").run()
    assert not app.exception, app.exception
    return app, reading_id


def assistant_texts(app: AppTest) -> list[str]:
    return [
        text_of(block.value)
        for message in app.chat_message
        if message.name == "assistant"
        for block in message.markdown
    ]


def test_send_a_message_see_the_streamed_reply_and_suggestions(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, _ = chat_page(app_as, session_factory)
    assert any("About palm.jpg" in text_of(header.value) for header in app.subheader)
    assert any("About the reading palm.jpg (right hand" in text_of(c.value) for c in app.caption)
    app.chat_input(key="chat_input").set_value("What does my heart line say?").run()
    assert not app.exception, app.exception
    assert any("Heart line" in text for text in assistant_texts(app))
    suggestions = [b for b in app.button if b.key and b.key.startswith("chat_suggest_")]
    assert 2 <= len(suggestions) <= 3
    with transaction(session_factory) as session:
        roles = session.scalars(select(Message.role).order_by(Message.id)).all()
    assert roles == ["user", "assistant"]


def test_a_suggestion_button_sends_it(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, _ = chat_page(app_as, session_factory)
    app.chat_input(key="chat_input").set_value("What does my heart line say?").run()
    first = app.button(key="chat_suggest_0")
    first.click().run()
    assert not app.exception
    user_texts = [
        text_of(block.value) for m in app.chat_message if m.name == "user" for block in m.markdown
    ]
    assert user_texts[-1] == text_of(first.label)
    assert len(assistant_texts(app)) == 2


def test_a_template_fills_the_chat_box(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, _ = chat_page(app_as, session_factory)
    app.button(key="chat_template_career").click().run()
    box = app.chat_input(key="chat_input").proto
    assert box.set_value and box.value == "What does my palm say about my career?"
    with transaction(session_factory) as session:
        assert session.scalars(select(Message.id)).all() == []  # filled, not sent


def test_search_result_opens_the_thread_at_the_message(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, _ = chat_page(app_as, session_factory)
    app.chat_input(key="chat_input").set_value("I grow orchids. What about my career?").run()
    app.text_input(key="chat_search_query").set_value("orchids").run()
    hit = app.button(key="chat_hit_0")
    assert "orchids" in text_of(hit.label)
    hit.click().run()
    assert not app.exception
    assert any("found by your search" in caption.value for caption in app.caption)


def test_rename_pin_and_archive_from_the_sidebar(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, _ = chat_page(app_as, session_factory)
    with transaction(session_factory) as session:
        cid = session.scalars(select(Conversation.id)).one()
    app.text_input(key=f"chat_title_{cid}").set_value("Heart things")
    app.text_input(key=f"chat_newfolder_{cid}").set_value("Love")
    app.text_input(key=f"chat_tags_{cid}").set_value("romance, spring")
    app.button(key=f"chat_save_{cid}").click().run()
    app.button(key=f"chat_pin_{cid}").click().run()
    assert not app.exception
    with transaction(session_factory) as session:
        conversation = session.get_one(Conversation, cid)
        assert (conversation.folder, conversation.tags, conversation.pinned) == (
            "Love",
            ["romance", "spring"],
            True,
        )
    assert any("Heart things" in text_of(b.label or "") for b in app.button)
    app.button(key=f"chat_archive_{cid}").click().run()
    with transaction(session_factory) as session:
        assert session.get_one(Conversation, cid).archived


def test_another_users_thread_in_the_url_is_not_shown(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, _ = chat_page(app_as, session_factory)
    app.chat_input(key="chat_input").set_value("My secret is pistachio ice cream.").run()
    with transaction(session_factory) as session:
        cid = session.scalars(select(Conversation.id)).one()
    stranger = AppTest.from_file(app._script_path, default_timeout=30)
    stranger.session_state[USER_KEY] = make_user(session_factory, "eve@example.com", Role.USER)
    stranger.query_params["c"] = str(cid)
    stranger.run()
    stranger.switch_page("views/chat.py").run()
    assert not stranger.exception
    assert not stranger.chat_message
    assert all("pistachio" not in md.value for md in stranger.markdown)


def test_over_the_rate_limit_the_message_is_refused_and_put_back(
    app_as: AppFactory, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALM_CHAT_MESSAGES_PER_MINUTE", "1")
    get_settings.cache_clear()
    reset_runtime()
    app, _ = chat_page(app_as, session_factory)
    app.chat_input(key="chat_input").set_value("What does my heart line say?").run()
    app.chat_input(key="chat_input").set_value("And my head line?").run()
    assert not app.exception
    assert any("faster than the reader can answer" in w.value for w in app.warning)
    box = app.chat_input(key="chat_input").proto
    assert box.set_value and box.value == "And my head line?"
    with transaction(session_factory) as session:
        assert len(session.scalars(select(Message.id)).all()) == 2
