"""The change sequence of the readings: one row per reading a transaction changed.

The analysts' columnar mirror (``palm.explore.mirror``) is a copy of the readings in each
process's memory; it stays exact by reading, before each answer, the rows committed since its
last look and re-fetching those readings. ``id`` orders the rows on SQLite, where writers take
turns (a row's id is taken under the write lock, so ids commit in order). On PostgreSQL ids do
not commit in order, so each row carries its transaction id (``txid``): a mirror reads what its
previous snapshot could not see (``pg_visible_in_snapshot``). ``reading_id`` None: everything
may have changed (a rollup rebuild, a bulk load); mirrors reload. Old rows are pruned.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base
from palm.models.base import UTCDateTime, utcnow


class ReadingChange(Base):
    """A reading was added, changed or deleted (no foreign key: a deletion must stay listed)."""

    __tablename__ = "reading_changes"
    __table_args__ = (
        Index("ix_reading_changes_txid", "txid"),
        Index("ix_reading_changes_created", "created_at"),
        {"sqlite_autoincrement": True},  # ids never reused, even when the newest is pruned
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    reading_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    txid: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
