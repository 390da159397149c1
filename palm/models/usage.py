"""LLM usage: one row per call (or reply-cache hit), for costs and the admin page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    event,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from palm.db import Base
from palm.models.base import UTCDateTime, utcnow


class UsageRecord(Base):
    """One LLM call (or cache hit): tokens, cost and latency, for the admin page."""

    __tablename__ = "usage_records"
    __table_args__ = (
        Index("ix_usage_records_ts", "ts"),
        Index("ix_usage_user_ts", "user_id", "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reading_id: Mapped[int | None] = mapped_column(
        ForeignKey("readings.id", ondelete="SET NULL"), nullable=True
    )
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(32))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cache_hit: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)


class UsageDaily(Base):
    """LLM use per day (UTC), model and purpose: what the console's charts and the monthly
    budget read, instead of scanning every call. Kept by the insert of each usage row."""

    __tablename__ = "usage_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)


class UsageUserMonthly(Base):
    """LLM use per calendar month (UTC) and person (0: none); no foreign key, so the totals
    outlive an account (the console then shows "—")."""

    __tablename__ = "usage_user_monthly"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)


SUMMED = ("calls", "input_tokens", "cached_tokens", "output_tokens", "cost_usd")


def _upsert(connection: Connection, table: Table, keys: dict[str, Any], row: UsageRecord) -> None:
    totals = {
        "calls": 1,
        "input_tokens": row.input_tokens or 0,
        "cached_tokens": row.cached_tokens or 0,
        "output_tokens": row.output_tokens or 0,
        "cost_usd": row.cost_usd or 0.0,
    }
    _add(connection, table, keys, totals)


def _add(
    connection: Connection, table: Table, keys: dict[str, Any], totals: dict[str, Any]
) -> None:
    """Add ``totals`` to the row at ``keys`` (created at them if missing)."""
    values = {**keys, **totals}
    dialect = connection.dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    statement = insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in SUMMED},
    )
    connection.execute(statement)


@event.listens_for(UsageRecord, "after_insert")
def _roll_up(_mapper: Any, connection: Connection, row: UsageRecord) -> None:
    """Every usage row adds itself to its day's and its person's month's totals, in the same
    transaction (an upsert: concurrent writers add, they do not overwrite)."""
    moment = (row.ts or utcnow()).astimezone(UTC)
    _upsert(
        connection,
        UsageDaily.__table__,  # type: ignore[arg-type]
        {"day": moment.date(), "model": row.model, "purpose": row.purpose},
        row,
    )
    _upsert(
        connection,
        UsageUserMonthly.__table__,  # type: ignore[arg-type]
        {"month": moment.strftime("%Y-%m"), "user_id": row.user_id or 0},
        row,
    )


def forget_user_usage(session: Session, user_id: int) -> None:
    """A deleted person's monthly LLM totals join nobody's (user 0): the month's spend stays
    whole, whose it was goes. Never commits."""
    table: Table = UsageUserMonthly.__table__  # type: ignore[assignment]
    mine = session.scalars(select(UsageUserMonthly).where(UsageUserMonthly.user_id == user_id))
    for row in list(mine):
        totals = {name: getattr(row, name) for name in SUMMED}
        _add(session.connection(), table, {"month": row.month, "user_id": 0}, totals)
        session.delete(row)
    session.flush()
