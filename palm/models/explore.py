"""Explore: readings one person shares with another, for side-by-side comparison."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base
from palm.models.base import UTCDateTime, utcnow
from palm.models.readings import LineResult, Reading


class ReadingShare(Base):
    """One reading made visible to one other account until the owner revokes it.

    Revoking keeps the row (``revoked_at`` set): the audit log and the owner's list still show
    who had access and when.
    """

    __tablename__ = "reading_shares"
    __table_args__ = (
        Index("ix_reading_shares_recipient", "recipient_id", "revoked_at", "reading_id"),
        Index("ix_reading_shares_owner_created", "owner_id", "created_at"),
        Index("ix_reading_shares_reading", "reading_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: When the recipient was told about the share (None: not yet; they see a notice).
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


#: Indexes the explore queries need on tables owned by other modules (declared here so the
#: models and migration 0003 stay in step). Users' own views use ix_readings_user_created.
#: ix_line_results_metrics covers the trends' line joins, so they read no table rows (and
#: PostgreSQL probes it per reading instead of scanning six million line rows).
EXPLORE_INDEXES = (
    Index("ix_readings_created", Reading.created_at, Reading.id),
    Index("ix_readings_status_created", Reading.status, Reading.created_at, Reading.id),
    # an engine filter walks its own readings in page order (History pages, CSV export: 21k
    # rows/s at 1M readings on SQLite without it, which reads every reading of the date walk)
    Index("ix_readings_engine_created", Reading.engine, Reading.created_at, Reading.id),
    # SQLite only: a type filter walks the date order testing the JSON list, and with the list
    # in the index it tests each entry before reading its table row (type love at 1M readings:
    # 4.6 -> 2.1 s for the export's query). PostgreSQL cannot index a JSON column, and its
    # export plans a sequential scan and a sort anyway.
    Index(
        "ix_readings_created_types", Reading.created_at, Reading.id, Reading.analysis_types
    ).ddl_if(dialect="sqlite"),
    Index(
        "ix_line_results_metrics",
        LineResult.reading_id,
        LineResult.found,
        LineResult.line,
        LineResult.length_rel,
        LineResult.depth,
        LineResult.curvature,
        LineResult.confidence,
    ),
)
