"""Messages of a thread: appended encrypted, read back decrypted as plain MessageViews."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cryptography.fernet import MultiFernet
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.chat.sealing import seal, unseal
from palm.chat.threads import get_conversation
from palm.models import Conversation, Message, utcnow


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
