"""Chat threads: owner-scoped creation, listing and organisation.

Every function takes the owner's id; another user's conversation id is simply not found.
Text goes through ``seal``/``unseal`` (the installation's MultiFernet), so the database only
ever holds Fernet tokens for what people type and what the reader answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import MultiFernet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from palm.chat.sealing import seal, unseal
from palm.errors import PalmError
from palm.models import Conversation, Message, Reading
from palm.readings import finished_readings
from palm.vocabulary import DayLabel, utc_day

MAX_TITLE = 120
MAX_FOLDER = 64
MAX_TAGS = 12
MAX_TAG = 32


class ConversationNotFoundError(PalmError):
    def __init__(self) -> None:
        super().__init__(
            "CONVERSATION_NOT_FOUND", "That conversation does not exist or is not yours."
        )


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


def reading_label(reading: Reading, day: DayLabel = utc_day) -> str:
    """How a reading is named in threads and prompts: file, hand and day (on a person's
    screens the day is in their format and zone; prompts keep the UTC day)."""
    hand = f"{reading.hand} hand" if reading.hand else "hand"
    return f"{reading.filename} ({hand}, {day(reading.created_at)})"


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


def latest_open_thread(session: Session, user_id: int, reading_id: int) -> int | None:
    """The newest thread of the user's about this reading that is not archived."""
    return session.scalar(
        select(Conversation.id)
        .where(
            Conversation.user_id == user_id,
            Conversation.reading_id == reading_id,
            Conversation.archived.is_(False),
        )
        .order_by(Conversation.updated_at.desc())
        .limit(1)
    )


def list_threads(
    session: Session,
    cipher: MultiFernet,
    user_id: int,
    *,
    archived: bool = False,
    day: DayLabel = utc_day,
) -> list[ThreadRow]:
    """The sidebar: pinned first, then most recently updated."""
    query = (
        select(Conversation, Reading)
        .outerjoin(Reading, Reading.id == Conversation.reading_id)
        .where(Conversation.user_id == user_id, Conversation.archived == archived)
        .order_by(Conversation.pinned.desc(), Conversation.updated_at.desc(), Conversation.id)
    )
    return [thread_row(cipher, c, r, day) for c, r in session.execute(query)]


def thread_row(
    cipher: MultiFernet,
    conversation: Conversation,
    reading: Reading | None,
    day: DayLabel = utc_day,
) -> ThreadRow:
    return ThreadRow(
        id=conversation.id,
        title=unseal(cipher, conversation.title_token),
        reading_id=conversation.reading_id,
        reading_label=reading_label(reading, day) if reading else None,
        folder=conversation.folder,
        tags=list(conversation.tags),
        pinned=conversation.pinned,
        archived=conversation.archived,
        message_count=conversation.message_count,
        updated_at=conversation.updated_at,
    )


def find_thread(
    session: Session,
    cipher: MultiFernet,
    user_id: int,
    conversation_id: int,
    day: DayLabel = utc_day,
) -> ThreadRow | None:
    """The thread if it is the user's, else None (no hint whose it is)."""
    try:
        conversation = get_conversation(session, user_id, conversation_id)
    except ConversationNotFoundError:
        return None
    reading = session.get(Reading, conversation.reading_id) if conversation.reading_id else None
    return thread_row(cipher, conversation, reading, day)


def reading_choices(
    session: Session, user_id: int, *, limit: int = 50, day: DayLabel = utc_day
) -> dict[int, str]:
    """The user's finished readings, newest first: id → label (pickers and filters)."""
    chosen = finished_readings(session, user_id, limit=limit)
    return {r.id: reading_label(r, day) for r in chosen}


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
