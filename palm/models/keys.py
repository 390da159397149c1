"""Key rotation checkpoints: how far a re-encryption pass has come, per kind of data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base
from palm.models.base import UTCDateTime, utcnow


class KeyRotation(Base):
    """One kind of data (photos, messages, …) re-encrypted towards one primary key.

    ``key_id`` is the key's fingerprint (palm.infra.primary_key_id), never the key. The row is
    committed with each batch, so an interrupted ``python -m palm rotate-keys`` resumes after
    ``last_id``; ``finished_at`` set means everything of that kind is under that key.
    """

    __tablename__ = "key_rotations"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
