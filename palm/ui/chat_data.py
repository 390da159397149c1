"""Chat page plumbing: the cached cipher, LLM and rate limiter, and one transaction per call
into the chat services. Returns plain data only (ThreadRow, MessageView), never ORM objects.
"""

from __future__ import annotations

from functools import partial

import streamlit as st
from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.infra.crypto import load_cipher
from palm.infra.ratelimit import RateLimiter
from palm.infra.storage import BlobStore
from palm.models import Conversation, Reading, ReadingStatus
from palm.services import chat_export, chat_pdf, chat_threads
from palm.services.chat_llm import ChatLLM, build_chat_llm
from palm.services.chat_memory import MemoryConfig, memory_config
from palm.services.chat_search import SearchFilters, SearchHit, search_messages
from palm.services.chat_threads import MessageView, ThreadRow
from palm.ui import resources
from palm.ui.auth import SessionUser


@st.cache_resource(show_spinner=False)
def cipher() -> MultiFernet:
    return load_cipher(resources.settings())


@st.cache_resource(show_spinner=False)
def chat_llm() -> ChatLLM | None:
    """None when no key and no base URL are configured: the offline reader answers."""
    return build_chat_llm(resources.settings())


def messages_per_minute() -> int:
    return resources.settings().palm_chat_messages_per_minute


@st.cache_resource(show_spinner=False)
def limiter() -> RateLimiter | None:
    url = resources.settings().redis_url
    return RateLimiter(url, messages_per_minute(), "chat") if url else None


def memory() -> MemoryConfig:
    return memory_config(resources.settings())


def threads(user: SessionUser, *, archived: bool = False) -> list[ThreadRow]:
    with transaction(resources.session_factory()) as session:
        return chat_threads.list_threads(session, cipher(), user.id, archived=archived)


def thread(user: SessionUser, conversation_id: int) -> ThreadRow | None:
    """The thread if it is the user's, else None (no hint whose it is)."""
    with transaction(resources.session_factory()) as session:
        try:
            conversation = chat_threads.get_conversation(session, user.id, conversation_id)
        except chat_threads.ConversationNotFoundError:
            return None
        reading = session.get(Reading, conversation.reading_id) if conversation.reading_id else None
        return chat_threads.thread_row(cipher(), conversation, reading)


def messages(user: SessionUser, conversation_id: int) -> list[MessageView]:
    with transaction(resources.session_factory()) as session:
        return chat_threads.messages_of(session, cipher(), user.id, conversation_id)


def new_thread(user: SessionUser, reading_id: int | None) -> int:
    with transaction(resources.session_factory()) as session:
        return chat_threads.create_conversation(
            session, cipher(), user.id, reading_id=reading_id
        ).id


def thread_for_reading(user: SessionUser, reading_id: int) -> int | None:
    """The newest open thread about the reading, else a new one (None: not the user's)."""
    with transaction(resources.session_factory()) as session:
        existing = session.scalar(
            select(Conversation.id)
            .where(
                Conversation.user_id == user.id,
                Conversation.reading_id == reading_id,
                Conversation.archived.is_(False),
            )
            .order_by(Conversation.updated_at.desc())
            .limit(1)
        )
    if existing is not None:
        return int(existing)
    try:
        return new_thread(user, reading_id)
    except PalmError:
        return None


def finished_readings(user: SessionUser) -> dict[int, str]:
    """The user's finished readings, newest first: id → label (for pickers and filters)."""
    with transaction(resources.session_factory()) as session:
        rows = session.scalars(
            select(Reading)
            .where(Reading.user_id == user.id, Reading.status == ReadingStatus.DONE)
            .order_by(Reading.created_at.desc())
            .limit(50)
        )
        return {r.id: chat_threads.reading_label(r) for r in rows}


def folders_and_tags(user: SessionUser) -> tuple[list[str], list[str]]:
    with transaction(resources.session_factory()) as session:
        return chat_threads.folders_of(session, user.id), chat_threads.tags_of(session, user.id)


def organise(user: SessionUser, conversation_id: int, action: str, value: object = None) -> None:
    """One sidebar action: rename, folder, tags, pin, archive or delete."""
    with transaction(resources.session_factory()) as session:
        if action == "rename":
            chat_threads.rename(session, cipher(), user.id, conversation_id, str(value))
        elif action == "folder":
            chat_threads.move_to_folder(session, user.id, conversation_id, str(value or ""))
        elif action == "tags":
            tags = [t for t in str(value or "").replace(",", " ").split() if t]
            chat_threads.set_tags(session, user.id, conversation_id, tags)
        elif action == "pin":
            chat_threads.set_pinned(session, user.id, conversation_id, bool(value))
        elif action == "archive":
            chat_threads.set_archived(session, user.id, conversation_id, bool(value))
        elif action == "delete":
            chat_threads.delete_conversation(session, user.id, conversation_id)


def search(user: SessionUser, query: str, filters: SearchFilters) -> list[SearchHit]:
    with transaction(resources.session_factory()) as session:
        return search_messages(session, cipher(), user.id, query, filters)


def export_data(user: SessionUser, conversation_id: int | None, kind: str) -> partial[bytes]:
    """A no-argument callable for st.download_button (built lazily, on click)."""
    return partial(
        _export_bytes,
        resources.session_factory(),
        cipher(),
        resources.blob_store(),
        user.id,
        conversation_id,
        kind,
    )


def _export_bytes(
    factory: sessionmaker[Session],
    key: MultiFernet,
    store: BlobStore,
    user_id: int,
    cid: int | None,
    kind: str,
) -> bytes:
    with transaction(factory) as session:
        threads = chat_export.collect(session, key, user_id, [cid] if cid else None)
    if kind == "md":
        return chat_export.to_markdown(threads).encode("utf-8")
    if kind == "json":
        return chat_export.to_json(threads).encode("utf-8")
    overlays = chat_export.overlays_for(threads, store)
    return chat_pdf.to_pdf(threads, overlays)
