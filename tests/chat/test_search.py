"""Search over encrypted messages: old words found, filters combine, the index follows new
and deleted messages, and nobody finds another user's text."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from palm.chat import threads as chat_threads
from palm.chat import turns as chat_turns
from palm.chat.search import SearchFilters, SearchIndex
from palm.models import Message
from tests.chat.support import CONFIG, make_thread


def test_finds_a_word_in_an_old_message_and_points_at_it(session: Session) -> None:
    thread = make_thread(session)
    first = thread.ask("I grow Orchids on my balcony.")
    for _ in range(30):
        thread.ask("What does my heart line say?")
    hits = SearchIndex().search(session, thread.cipher, thread.user_id, "orchids balcony")
    user_hits = [h for h in hits if h.role == "user"]
    assert len(user_hits) == 1
    hit = user_hits[0]
    assert hit.conversation_id == thread.conversation_id
    assert hit.message_id is not None and hit.message_id < first.id
    assert "Orchids on my balcony" in hit.snippet


def test_titles_match_too(session: Session) -> None:
    thread = make_thread(session)
    chat_threads.rename(
        session, thread.cipher, thread.user_id, thread.conversation_id, "Spring plans"
    )
    hits = SearchIndex().search(session, thread.cipher, thread.user_id, "spring")
    assert [(h.conversation_id, h.message_id) for h in hits] == [(thread.conversation_id, None)]


def test_filters_combine(session: Session) -> None:
    thread = make_thread(session)
    key, uid = thread.cipher, thread.user_id
    loved = thread.conversation_id
    other = chat_threads.create_conversation(session, key, uid, title="Work").id
    thread.ask("Tell me about tulips and my heart line")
    chat_turns.ask(session, key, uid, other, "Tulips at work?", config=CONFIG)
    chat_threads.move_to_folder(session, uid, loved, "Garden")
    chat_threads.set_tags(session, uid, loved, ["flowers"])
    chat_threads.set_tags(session, uid, other, ["flowers"])
    chat_threads.set_pinned(session, uid, other, True)
    index = SearchIndex()

    def found(**filters: object) -> set[int]:
        hits = index.search(session, key, uid, "tulips", SearchFilters(**filters))  # type: ignore[arg-type]
        return {h.conversation_id for h in hits}

    assert found() == {loved, other}
    assert found(tag="flowers") == {loved, other}
    assert found(tag="flowers", folder="Garden") == {loved}
    assert found(tag="flowers", pinned=True) == {other}
    assert found(folder="Garden", pinned=True) == set()
    assert found(reading_id=thread.reading_id) == {loved}
    assert found(archived=False) == {loved, other}
    chat_threads.set_archived(session, uid, other, True)
    assert found(archived=True) == {other}
    old = datetime(2025, 1, 5, tzinfo=UTC)
    session.execute(update(Message).where(Message.conversation_id == other).values(created_at=old))
    index.clear()
    assert found(date_from=date(2026, 1, 1)) == {loved}
    assert found(date_to=date(2025, 1, 5), tag="flowers") == {other}


def test_the_index_follows_new_and_deleted_messages(session: Session) -> None:
    thread = make_thread(session)
    key, uid = thread.cipher, thread.user_id
    index = SearchIndex()
    assert index.search(session, key, uid, "marigold") == []
    thread.ask("Marigold is my favourite flower.")
    assert [h.role for h in index.search(session, key, uid, "marigold")] == ["user"]
    other = chat_threads.create_conversation(session, key, uid).id
    chat_turns.ask(session, key, uid, other, "Marigold again", config=CONFIG)
    assert len(index.search(session, key, uid, "marigold")) == 3  # two messages and a title
    chat_threads.delete_conversation(session, uid, thread.conversation_id)
    session.flush()
    hits = index.search(session, key, uid, "marigold")
    assert {h.conversation_id for h in hits} == {other}


def test_nobody_finds_another_users_words(session: Session) -> None:
    ana = make_thread(session, "ana@example.com")
    eve = make_thread(session, "eve@example.com")
    ana.ask("My secret word is zanzibar.")
    index = SearchIndex()
    assert index.search(session, ana.cipher, ana.user_id, "zanzibar")
    assert index.search(session, eve.cipher, eve.user_id, "zanzibar") == []
