"""The jobs table: the database mirror of RQ jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base
from palm.models.base import UTCDateTime, utcnow
from palm.vocabulary import JobState


class Job(Base):
    """One row per RQ job: kind, state, progress and error as the worker reports them."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_state", "state"),
        Index("ix_jobs_user_enqueued", "user_id", "enqueued_at"),
        Index("ix_jobs_state_enqueued", "state", "enqueued_at"),
        Index("ix_jobs_started_at", "started_at"),  # the console's rates and waits
        Index("ix_jobs_ended_at", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rq_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED)
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    reading_id: Mapped[int | None] = mapped_column(
        ForeignKey("readings.id", ondelete="CASCADE"), nullable=True, index=True
    )
    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    #: What RQ runs (dotted path, id-only arguments): a job lost from Redis is enqueued again.
    func: Mapped[str | None] = mapped_column(String(128), nullable=True)
    args: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
