"""Chat threads: owner-scoped creation, listing and organisation, and encrypted messages.

Every function takes the owner's id; another user's conversation id is simply not found.
Text goes through ``seal``/``unseal`` (the installation's MultiFernet), so the database only
ever holds Fernet tokens for what people type and what the reader answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from palm.errors import PalmError
from palm.models import Conversation, Message, Reading, utcnow

MAX_TITLE = 120
MAX_FOLDER = 64
MAX_TAGS = 12
MAX_TAG = 32
UNREADABLE = "[this text could not be decrypted with the configured keys]"


class ConversationNotFoundError(PalmError):
    def __init__(self) -> None:
        super().__init__(
            "CONVERSATION_NOT_FOUND", "That conversation does not exist or is not yours."
        )


def seal(cipher: MultiFernet, text: str) -> str:
    """The Fernet token stored for ``text``."""
    return cipher.encrypt(text.encode("utf-8")).decode("ascii")


def unseal(cipher: MultiFernet, token: str) -> str:
    """Plain text of a stored token; a token no configured key opens reads as a marker."""
    try:
        return cipher.decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return UNREADABLE


@dataclass(frozen=True)
class ThreadRow:
    """A thread as the sidebar shows it (plain data, title decrypted)."""

    id: int
    title: str
    reading_id: int | None
    reading_label: str | None
    folder: str
    tags: list[str]
    pinned: bool
    archived: bool
    message_count: int
    updated_at: datetime


@dataclass(frozen=True)
class MessageView:
    """One message, decrypted, for display, prompts and exports."""

    id: int
    role: str
    text: str
    created_at: datetime
    topic: str | None = None
    engine: str | None = None
    note: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    suggestions: list[str] = field(default_factory=list)


def reading_label(reading: Reading) -> str:
    """How a reading is named in threads and prompts: file, hand and day."""
    hand = f"{reading.hand} hand" if reading.hand else "hand"
    return f"{reading.filename} ({hand}, {reading.created_at:%d %b %Y})"


def clean_tags(tags: list[str]) -> list[str]:
    """Lower-case, trimmed, unique, bounded tags in the order given."""
    seen: list[str] = []
    for raw in tags:
        tag = raw.strip().lower().lstrip("#")[:MAX_TAG]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_TAGS]


def create_conversation(
    session: Session,
    cipher: MultiFernet,
    user_id: int,
    *,
    reading_id: int | None = None,
    title: str | None = None,
    folder: str = "",
) -> Conversation:
    """A new thread, about one of the user's own readings or none."""
    reading = _own_reading(session, user_id, reading_id) if reading_id is not None else None
    default = f"About {reading.filename}" if reading else "New conversation"
    conversation = Conversation(
        user_id=user_id,
        reading_id=reading.id if reading else None,
        title_token=seal(cipher, (title or default).strip()[:MAX_TITLE] or default),
        folder=folder.strip()[:MAX_FOLDER],
        tags=[],
        pinned=False,
        archived=False,
        message_count=0,
    )
    session.add(conversation)
    session.flush()
    return conversation


def _own_reading(session: Session, user_id: int, reading_id: int) -> Reading:
    reading = session.scalar(
        select(Reading).where(Reading.id == reading_id, Reading.user_id == user_id)
    )
    if reading is None:
        raise PalmError("READING_NOT_FOUND", "That reading does not exist or is not yours.")
    return reading


def get_conversation(session: Session, user_id: int, conversation_id: int) -> Conversation:
    """The thread if it is the user's; anyone else's id is not found."""
    conversation = session.scalar(
        select(Conversation).where(
            Conversation.id == conversation_id, Conversation.user_id == user_id
        )
    )
    if conversation is None:
        raise ConversationNotFoundError()
    return conversation


def list_threads(
    session: Session, cipher: MultiFernet, user_id: int, *, archived: bool = False
) -> list[ThreadRow]:
    """The sidebar: pinned first, then most recently updated."""
    query = (
        select(Conversation, Reading)
        .outerjoin(Reading, Reading.id == Conversation.reading_id)
        .where(Conversation.user_id == user_id, Conversation.archived == archived)
        .order_by(Conversation.pinned.desc(), Conversation.updated_at.desc(), Conversation.id)
    )
    return [thread_row(cipher, c, r) for c, r in session.execute(query)]


def thread_row(
    cipher: MultiFernet, conversation: Conversation, reading: Reading | None
) -> ThreadRow:
    return ThreadRow(
        id=conversation.id,
        title=unseal(cipher, conversation.title_token),
        reading_id=conversation.reading_id,
        reading_label=reading_label(reading) if reading else None,
        folder=conversation.folder,
        tags=list(conversation.tags),
        pinned=conversation.pinned,
        archived=conversation.archived,
        message_count=conversation.message_count,
        updated_at=conversation.updated_at,
    )


def folders_of(session: Session, user_id: int) -> list[str]:
    """The user's folder names, for the move-to menu and the filter."""
    query = (
        select(Conversation.folder)
        .where(Conversation.user_id == user_id, Conversation.folder != "")
        .distinct()
        .order_by(Conversation.folder)
    )
    return list(session.scalars(query))


def tags_of(session: Session, user_id: int) -> list[str]:
    rows = session.scalars(select(Conversation.tags).where(Conversation.user_id == user_id))
    return sorted({tag for tags in rows for tag in tags})


def rename(
    session: Session, cipher: MultiFernet, user_id: int, conversation_id: int, title: str
) -> None:
    conversation = get_conversation(session, user_id, conversation_id)
    cleaned = title.strip()[:MAX_TITLE]
    if not cleaned:
        raise PalmError("TITLE_EMPTY", "A conversation needs a title.")
    conversation.title_token = seal(cipher, cleaned)


def move_to_folder(session: Session, user_id: int, conversation_id: int, folder: str) -> None:
    """Move a thread to a folder; an empty name takes it out of every folder."""
    get_conversation(session, user_id, conversation_id).folder = folder.strip()[:MAX_FOLDER]


def set_tags(session: Session, user_id: int, conversation_id: int, tags: list[str]) -> list[str]:
    conversation = get_conversation(session, user_id, conversation_id)
    conversation.tags = clean_tags(tags)
    return list(conversation.tags)


def set_pinned(session: Session, user_id: int, conversation_id: int, pinned: bool) -> None:
    get_conversation(session, user_id, conversation_id).pinned = pinned


def set_archived(session: Session, user_id: int, conversation_id: int, archived: bool) -> None:
    get_conversation(session, user_id, conversation_id).archived = archived


def delete_conversation(session: Session, user_id: int, conversation_id: int) -> None:
    """The thread and all its messages, for good."""
    conversation = get_conversation(session, user_id, conversation_id)
    session.execute(delete(Message).where(Message.conversation_id == conversation.id))
    session.delete(conversation)


def add_message(
    session: Session,
    cipher: MultiFernet,
    conversation: Conversation,
    role: str,
    text: str,
    **fields: object,
) -> Message:
    """Append an encrypted message and touch the thread (flushed, so it has its id)."""
    message = Message(
        conversation_id=conversation.id,
        user_id=conversation.user_id,
        role=role,
        content_token=seal(cipher, text),
        input_tokens=0,
        output_tokens=0,
        suggestions=[],
        created_at=utcnow(),
    )
    for name, value in fields.items():
        setattr(message, name, value)
    session.add(message)
    conversation.message_count += 1
    conversation.updated_at = message.created_at
    session.flush()
    return message


def message_view(cipher: MultiFernet, message: Message) -> MessageView:
    return MessageView(
        id=message.id,
        role=message.role,
        text=unseal(cipher, message.content_token),
        created_at=message.created_at,
        topic=message.topic,
        engine=message.engine,
        note=message.note,
        input_tokens=message.input_tokens,
        output_tokens=message.output_tokens,
        suggestions=list(message.suggestions),
    )


def messages_of(
    session: Session,
    cipher: MultiFernet,
    user_id: int,
    conversation_id: int,
    *,
    after_id: int | None = None,
    last: int | None = None,
) -> list[MessageView]:
    """A thread's messages oldest first; ``last`` keeps only the newest few."""
    conversation = get_conversation(session, user_id, conversation_id)
    query = select(Message).where(Message.conversation_id == conversation.id)
    if after_id is not None:
        query = query.where(Message.id > after_id)
    if last is not None:
        query = query.order_by(Message.id.desc()).limit(last)
        return [message_view(cipher, m) for m in reversed(list(session.scalars(query)))]
    return [message_view(cipher, m) for m in session.scalars(query.order_by(Message.id))]


def count_messages(session: Session, user_id: int, conversation_id: int) -> int:
    get_conversation(session, user_id, conversation_id)
    query = (
        select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id)
    )
    return session.scalar(query) or 0
