"""Threads: owner scoping everywhere, encryption at rest, organisation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from palm.chat import export as chat_export
from palm.chat import threads as chat_threads
from palm.chat import turns as chat_turns
from palm.chat.messages import count_messages, messages_of
from palm.chat.search import SearchIndex
from palm.chat.threads import ConversationNotFoundError
from palm.errors import PalmError
from palm.models import Conversation, Message
from tests.chat.support import CONFIG, account, make_thread


def test_message_text_and_titles_are_encrypted_at_rest(session: Session) -> None:
    thread = make_thread(session)
    thread.ask("My name is Ana and I grow orchids.")
    raw = session.execute(text("SELECT content_token FROM messages ORDER BY id")).scalars().all()
    assert all("orchids" not in value and "Ana" not in value for value in raw)
    assert all(value.startswith("gAAAAA") for value in raw)  # Fernet tokens
    titles = session.execute(text("SELECT title_token FROM conversations")).scalars().all()
    assert all("orchids" not in value for value in titles)
    shown = messages_of(session, thread.cipher, thread.user_id, thread.conversation_id)
    assert shown[0].text == "My name is Ana and I grow orchids."


def test_another_users_conversation_is_not_found_everywhere(session: Session) -> None:
    thread = make_thread(session)
    thread.ask("I grow orchids.")
    eve = account(session, "eve@example.com")
    cid, key = thread.conversation_id, thread.cipher
    attempts: list[Callable[[], object]] = [
        lambda: chat_threads.get_conversation(session, eve, cid),
        lambda: messages_of(session, key, eve, cid),
        lambda: chat_threads.rename(session, key, eve, cid, "mine now"),
        lambda: chat_threads.move_to_folder(session, eve, cid, "stolen"),
        lambda: chat_threads.set_tags(session, eve, cid, ["x"]),
        lambda: chat_threads.set_pinned(session, eve, cid, True),
        lambda: chat_threads.set_archived(session, eve, cid, True),
        lambda: chat_threads.delete_conversation(session, eve, cid),
        lambda: chat_turns.ask(session, key, eve, cid, "show me", config=CONFIG),
        lambda: chat_export.collect(session, key, eve, [cid]),
    ]
    for attempt in attempts:
        with pytest.raises(ConversationNotFoundError):
            attempt()
    assert chat_threads.list_threads(session, key, eve) == []
    assert SearchIndex().search(session, key, eve, "orchids") == []
    assert count_messages(session, thread.user_id, cid) == 2


def test_a_thread_about_someone_elses_reading_is_refused(session: Session) -> None:
    thread = make_thread(session)
    eve = account(session, "eve@example.com")
    with pytest.raises(PalmError, match="READING_NOT_FOUND"):
        chat_threads.create_conversation(session, thread.cipher, eve, reading_id=thread.reading_id)


def test_organise_folders_tags_pin_archive_rename_delete(session: Session) -> None:
    thread = make_thread(session)
    key, uid, cid = thread.cipher, thread.user_id, thread.conversation_id
    other = chat_threads.create_conversation(session, key, uid, title="Blank chat").id
    chat_threads.rename(session, key, uid, cid, "  Love questions  ")
    chat_threads.move_to_folder(session, uid, cid, "Romance")
    assert chat_threads.set_tags(session, uid, cid, ["#Spring", "spring", " Love "]) == [
        "spring",
        "love",
    ]
    chat_threads.set_pinned(session, uid, other, True)
    rows = chat_threads.list_threads(session, key, uid)
    assert [(r.title, r.pinned) for r in rows] == [("Blank chat", True), ("Love questions", False)]
    assert rows[1].reading_label and rows[1].reading_label.startswith("palm.jpg (right hand")
    assert chat_threads.folders_of(session, uid) == ["Romance"]
    chat_threads.move_to_folder(session, uid, cid, "Later")
    assert chat_threads.folders_of(session, uid) == ["Later"]
    chat_threads.set_archived(session, uid, cid, True)
    assert [r.id for r in chat_threads.list_threads(session, key, uid)] == [other]
    assert [r.id for r in chat_threads.list_threads(session, key, uid, archived=True)] == [cid]
    thread.ask("Hello")
    chat_threads.delete_conversation(session, uid, cid)
    session.flush()
    assert session.scalars(select(Message.id)).all() == []
    assert session.scalars(select(Conversation.id)).all() == [other]


def test_the_first_question_names_a_blank_thread(session: Session) -> None:
    thread = make_thread(session)
    blank = chat_threads.create_conversation(session, thread.cipher, thread.user_id)
    chat_turns.ask(
        session, thread.cipher, thread.user_id, blank.id, "What about my career?", config=CONFIG
    )
    rows = {
        r.id: r.title for r in chat_threads.list_threads(session, thread.cipher, thread.user_id)
    }
    assert rows[blank.id] == "What about my career?"
