"""Chat with the reader: conversations (threads) and their messages.

Everything a person types or the reader answers is stored as a Fernet token (the same
MultiFernet keys as the photos): message content, thread titles and the rolling summary.
Folder, tags, pin and archive flags are organisation metadata and stay in clear so the
sidebar and search filters can run in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base
from palm.models.base import UTCDateTime, utcnow


class Conversation(Base):
    """One thread, optionally about one reading; ``summary_token`` folds turns that left the
    verbatim window, up to message ``summary_upto_id``."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_user_sidebar", "user_id", "archived", "pinned", "updated_at"),
        Index("ix_conversations_user_reading", "user_id", "reading_id"),
        Index("ix_conversations_user_folder", "user_id", "folder"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reading_id: Mapped[int | None] = mapped_column(
        ForeignKey("readings.id", ondelete="SET NULL"), nullable=True
    )
    title_token: Mapped[str] = mapped_column(Text)
    folder: Mapped[str] = mapped_column(String(64), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    summary_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary_upto_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(Base):
    """One message; ``user_id`` is the thread owner's, denormalised for owner-scoped search."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("role IN ('user', 'assistant')", name="ck_messages_role"),
        Index("ix_messages_conversation", "conversation_id", "id"),
        Index("ix_messages_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    content_token: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(32), nullable=True)
    engine: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(String(255), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
