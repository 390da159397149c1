"""Chat page plumbing: one transaction per call into the chat feature, with the process's
cipher, LLM and rate limiter. Returns plain data only (ThreadRow, MessageView), never ORM rows.
"""

from __future__ import annotations

from functools import partial

from cryptography.fernet import MultiFernet

from palm import chat
from palm.db import transaction
from palm.errors import PalmError
from palm.infra import RateLimitedError, RateLimiter
from palm.ui import resources
from palm.ui.address import client_address
from palm.ui.auth import SessionUser
from palm.ui.preferences import load as load_preferences


def cipher() -> MultiFernet:
    return resources.runtime().cipher


def chat_llm() -> chat.ChatLLM | None:
    """None when no key and no base URL are configured: the offline reader answers."""
    return resources.runtime().chat_llm


def messages_per_minute() -> int:
    return resources.settings().palm_chat_messages_per_minute


def limiter() -> RateLimiter | None:
    return resources.runtime().chat_limiter


def memory() -> chat.MemoryConfig:
    return resources.runtime().chat_memory


def threads(user: SessionUser, *, archived: bool = False) -> list[chat.ThreadRow]:
    day = load_preferences(user).day
    with transaction(resources.session_factory()) as session:
        return chat.list_threads(session, cipher(), user.id, archived=archived, day=day)


def thread(user: SessionUser, conversation_id: int) -> chat.ThreadRow | None:
    """The thread if it is the user's, else None (no hint whose it is)."""
    day = load_preferences(user).day
    with transaction(resources.session_factory()) as session:
        return chat.find_thread(session, cipher(), user.id, conversation_id, day)


def messages(user: SessionUser, conversation_id: int) -> list[chat.MessageView]:
    with transaction(resources.session_factory()) as session:
        return chat.messages_of(session, cipher(), user.id, conversation_id)


def new_thread(user: SessionUser, reading_id: int | None) -> int:
    with transaction(resources.session_factory()) as session:
        return chat.create_conversation(session, cipher(), user.id, reading_id=reading_id).id


def thread_for_reading(user: SessionUser, reading_id: int) -> int | None:
    """The newest open thread about the reading, else a new one (None: not the user's)."""
    with transaction(resources.session_factory()) as session:
        existing = chat.latest_open_thread(session, user.id, reading_id)
    if existing is not None:
        return existing
    try:
        return new_thread(user, reading_id)
    except PalmError:
        return None


def finished_readings(user: SessionUser) -> dict[int, str]:
    """The user's finished readings, newest first: id → label (for pickers and filters)."""
    day = load_preferences(user).day
    with transaction(resources.session_factory()) as session:
        return chat.reading_choices(session, user.id, day=day)


def folders_and_tags(user: SessionUser) -> tuple[list[str], list[str]]:
    with transaction(resources.session_factory()) as session:
        return chat.folders_of(session, user.id), chat.tags_of(session, user.id)


def organise(user: SessionUser, conversation_id: int, action: str, value: object = None) -> None:
    """One sidebar action: rename, folder, tags, pin, archive or delete."""
    with transaction(resources.session_factory()) as session:
        if action == "rename":
            chat.rename(session, cipher(), user.id, conversation_id, str(value))
        elif action == "folder":
            chat.move_to_folder(session, user.id, conversation_id, str(value or ""))
        elif action == "tags":
            tags = [t for t in str(value or "").replace(",", " ").split() if t]
            chat.set_tags(session, user.id, conversation_id, tags)
        elif action == "pin":
            chat.set_pinned(session, user.id, conversation_id, bool(value))
        elif action == "archive":
            chat.set_archived(session, user.id, conversation_id, bool(value))
        elif action == "delete":
            chat.delete_conversation(session, user.id, conversation_id)


def search(user: SessionUser, query: str, filters: chat.SearchFilters) -> list[chat.SearchHit]:
    with transaction(resources.session_factory()) as session:
        return chat.search_messages(session, cipher(), user.id, query, filters)


def export_refusal(user: SessionUser) -> RateLimitedError | None:
    """Why an export would be refused now (too many lately), counting nothing."""
    try:
        resources.runtime().export_limits.peek(account=user.id, address=client_address())
    except RateLimitedError as error:
        return error
    return None


def export_data(user: SessionUser, conversation_id: int | None, kind: str) -> partial[bytes]:
    """A no-argument callable for st.download_button (built lazily, on click; the click
    counts against the export limits)."""
    runtime = resources.runtime()
    return partial(
        chat.export_file,
        runtime.session_factory,
        runtime.cipher,
        runtime.blob_store,
        user.id,
        conversation_id,
        kind,
        rate=runtime.export_limits,
        address=client_address(),
    )
