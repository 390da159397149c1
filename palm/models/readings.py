"""Photos, readings, their lines and interpretations.

What describes the person is sealed (encrypted under the engine's cipher): the original
filename, the summary, the engine's full result (landmarks, line courses), each line's
polyline and the reader's texts. Status, hand, shape and the line metrics stay plain: the
filters, trends and rollups aggregate them in SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base
from palm.models.base import SealedJSON, SealedText, UTCDateTime, utcnow
from palm.vocabulary import ReadingStatus


class Image(Base):
    """An uploaded photo, stored encrypted on disk; one row per (user, sha256)."""

    __tablename__ = "images"
    __table_args__ = (UniqueConstraint("user_id", "sha256", name="uq_images_user_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    storage_key: Mapped[str] = mapped_column(String(64))
    thumbnail_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reading(Base):
    """One analysis of one photo: status, the engine's full result, and what it found."""

    __tablename__ = "readings"
    __table_args__ = (
        Index("ix_readings_user_created", "user_id", "created_at", "id"),
        Index("ix_readings_user_status", "user_id", "status"),
        Index("ix_readings_batch", "batch_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    image_id: Mapped[int | None] = mapped_column(
        ForeignKey("images.id", ondelete="SET NULL"), nullable=True
    )
    batch_id: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(SealedText, default="")
    hand_requested: Mapped[str] = mapped_column(String(8), default="auto")
    hand: Mapped[str | None] = mapped_column(String(8), nullable=True)
    analysis_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=ReadingStatus.QUEUED)
    engine: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[str | None] = mapped_column(SealedText, nullable=True)
    hand_shape: Mapped[str | None] = mapped_column(String(16), nullable=True)
    vision_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(SealedJSON, nullable=True)
    overlay_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Of the reading's line rows: how many were found and their mean confidence. Kept with the
    #: rows (palm.readings.store.replace_results) so History pages and exports read them here
    #: instead of two probes of line_results per reading (most of an export's database time).
    lines_found: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mean_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)


class LineResult(Base):
    """One palm line of one reading, with its metrics and polyline (original-photo pixels)."""

    __tablename__ = "line_results"
    __table_args__ = (
        UniqueConstraint("reading_id", "line", name="uq_line_results_reading_line"),
        Index("ix_line_results_line_found", "line", "found"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id", ondelete="CASCADE"))
    line: Mapped[str] = mapped_column(String(16))
    found: Mapped[bool] = mapped_column(Boolean)
    polyline: Mapped[list[list[int]]] = mapped_column(SealedJSON, default=list)
    length_rel: Mapped[float] = mapped_column(Float, default=0.0)
    depth: Mapped[float] = mapped_column(Float, default=0.0)
    curvature: Mapped[float] = mapped_column(Float, default=0.0)
    breaks: Mapped[int] = mapped_column(Integer, default=0)
    branches: Mapped[int] = mapped_column(Integer, default=0)
    start_zone: Mapped[str] = mapped_column(String(32), default="")
    end_zone: Mapped[str] = mapped_column(String(32), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)


class Interpretation(Base):
    """The reader's text for one analysis type of one reading."""

    __tablename__ = "interpretations"
    __table_args__ = (
        UniqueConstraint("reading_id", "analysis_type", name="uq_interpretations_reading_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id", ondelete="CASCADE"))
    analysis_type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(SealedText)
    per_line: Mapped[dict[str, str]] = mapped_column(SealedJSON, default=dict)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    engine: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32), default="")
    #: Why the offline reader wrote this one although an LLM is configured (an LLM_* code).
    fallback_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ReadingTerm(Base):
    """One term of a reading's interpretation texts: a keyed HMAC of a word (palm.readings.
    terms), so the text search runs in SQL while the texts stay encrypted. Unique on (term,
    reading), without a primary key constraint: SQLite cannot add one to a filled table, and
    0013 fills it before building the indexes (far faster at millions of rows)."""

    __tablename__ = "reading_terms"
    __table_args__ = (
        Index("uq_reading_terms_term_reading", "term", "reading_id", unique=True),
        Index("ix_reading_terms_reading", "reading_id"),
    )

    term: Mapped[int] = mapped_column(BigInteger)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id", ondelete="CASCADE"))
    __mapper_args__ = {"primary_key": [term, reading_id]}  # noqa: RUF012
