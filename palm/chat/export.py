"""Export one thread or all of a user's threads as Markdown, JSON or PDF (see chat_pdf).

``collect`` decrypts the user's own threads into plain data; the writers never touch the
database. Markdown keeps every message verbatim under a speaker line; JSON is a versioned
document a script can read back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.chat.messages import MessageView, messages_of
from palm.chat.threads import ThreadRow, get_conversation, thread_row
from palm.errors import PalmError
from palm.infra import BlobStore
from palm.models import Conversation, Reading
from palm.readers import DISCLAIMER

EXPORT_FORMAT = "palmline-chat-export/1"
SPEAKERS = {"user": "You", "assistant": "Reader"}


@dataclass(frozen=True)
class ThreadExport(ThreadRow):
    """A thread as the sidebar knows it, plus what an export adds."""

    created_at: datetime
    overlay_key: str | None
    messages: list[MessageView]


def collect(
    session: Session, cipher: MultiFernet, user_id: int, conversation_ids: list[int] | None = None
) -> list[ThreadExport]:
    """The user's threads (all, or the ids given: each must be theirs), oldest first."""
    if conversation_ids is not None:
        conversations = [get_conversation(session, user_id, cid) for cid in conversation_ids]
    else:
        conversations = list(
            session.scalars(
                select(Conversation)
                .where(Conversation.user_id == user_id)
                .order_by(Conversation.created_at, Conversation.id)
            )
        )
    return [_thread(session, cipher, user_id, c) for c in conversations]


def _thread(
    session: Session, cipher: MultiFernet, user_id: int, conversation: Conversation
) -> ThreadExport:
    reading = session.get(Reading, conversation.reading_id) if conversation.reading_id else None
    row = thread_row(cipher, conversation, reading)
    return ThreadExport(
        **{column.name: getattr(row, column.name) for column in fields(ThreadRow)},
        created_at=conversation.created_at,
        overlay_key=reading.overlay_key if reading else None,
        messages=messages_of(session, cipher, user_id, conversation.id),
    )


def overlays_for(threads: list[ThreadExport], store: BlobStore) -> dict[int, bytes]:
    """Decrypted overlay PNGs by reading id; a missing blob is skipped, not fatal."""
    images: dict[int, bytes] = {}
    for thread in threads:
        if thread.reading_id is None or not thread.overlay_key or thread.reading_id in images:
            continue
        try:
            images[thread.reading_id] = store.get(thread.overlay_key)
        except PalmError:
            continue
    return images


def to_markdown(threads: list[ThreadExport]) -> str:
    parts = ["# Palmline conversations", "", f"_{DISCLAIMER}_", ""]
    for thread in threads:
        parts += [f"## {thread.title}", ""]
        parts += [f"- {line}" for line in thread_facts(thread)] + [""]
        for message in thread.messages:
            speaker = SPEAKERS.get(message.role, message.role)
            parts.append(f"**{speaker}** · {message.created_at:%Y-%m-%d %H:%M} UTC")
            parts += ["", message.text, ""]
            if message.note:
                parts += [f"> {message.note}", ""]
    return "\n".join(parts).rstrip() + "\n"


def thread_facts(thread: ThreadExport) -> list[str]:
    """The lines under a thread's title in the Markdown and PDF exports."""
    facts = [f"Started {thread.created_at:%Y-%m-%d %H:%M} UTC, {len(thread.messages)} messages"]
    if thread.reading_label:
        facts.append(f"Reading: {thread.reading_label}")
    if thread.folder:
        facts.append(f"Folder: {thread.folder}")
    if thread.tags:
        facts.append("Tags: " + ", ".join(thread.tags))
    return facts


def to_json(threads: list[ThreadExport]) -> str:
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "disclaimer": DISCLAIMER,
        "threads": [_thread_json(thread) for thread in threads],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _thread_json(thread: ThreadExport) -> dict[str, Any]:
    return {
        "id": thread.id,
        "title": thread.title,
        "folder": thread.folder,
        "tags": thread.tags,
        "pinned": thread.pinned,
        "archived": thread.archived,
        "created_at": thread.created_at.isoformat(),
        "updated_at": thread.updated_at.isoformat(),
        "reading": {"id": thread.reading_id, "label": thread.reading_label}
        if thread.reading_id
        else None,
        "messages": [
            {
                "id": m.id,
                "role": m.role,
                "text": m.text,
                "created_at": m.created_at.isoformat(),
                "topic": m.topic,
                "engine": m.engine,
                "note": m.note,
                "input_tokens": m.input_tokens,
                "output_tokens": m.output_tokens,
            }
            for m in thread.messages
        ],
    }


def export_name(threads: list[ThreadExport], extension: str) -> str:
    scope = f"thread-{threads[0].id}" if len(threads) == 1 else "all"
    return f"palmline-chat-{scope}.{extension}"
