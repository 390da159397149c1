"""Settings an admin changes at run time (the monthly LLM budget), kept in the database so
every process sees the same value."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from palm.db import Base
from palm.models.base import UTCDateTime, utcnow


class OpsSetting(Base):
    """One run-time setting: a key, its value as text, who set it and when."""

    __tablename__ = "ops_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
