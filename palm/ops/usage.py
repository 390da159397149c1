"""LLM usage totals for the admin page, computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from palm.models import UsageRecord, User


@dataclass(frozen=True)
class UsageSummary:
    """LLM use per model and purpose, for the admin page."""

    model: str
    purpose: str
    calls: int
    cache_hits: int
    fallbacks: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


def usage_summary(session: Session, *, since: datetime | None = None) -> list[UsageSummary]:
    """Totals computed in SQL, newest spend first."""
    hit = case((UsageRecord.cache_hit, 1), else_=0)
    fallback = case((UsageRecord.outcome == "fallback", 1), else_=0)
    query = (
        select(
            UsageRecord.model,
            UsageRecord.purpose,
            func.count(),
            func.sum(hit),
            func.sum(fallback),
            func.sum(UsageRecord.input_tokens),
            func.sum(UsageRecord.output_tokens),
            func.sum(UsageRecord.cost_usd),
        )
        .group_by(UsageRecord.model, UsageRecord.purpose)
        .order_by(func.sum(UsageRecord.cost_usd).desc())
    )
    if since is not None:
        query = query.where(UsageRecord.ts >= since)
    return [
        UsageSummary(
            model,
            purpose,
            int(calls),
            int(hits or 0),
            int(falls or 0),
            int(tokens_in or 0),
            int(tokens_out or 0),
            float(cost or 0.0),
        )
        for model, purpose, calls, hits, falls, tokens_in, tokens_out, cost in session.execute(
            query
        )
    ]


@dataclass(frozen=True)
class UsageGroup:
    """Tokens and cost of one slice of LLM use (a model, a purpose, a person or a day)."""

    key: str
    calls: int
    input_tokens: int
    cached_tokens: int
    output_tokens: int
    cost_usd: float


def usage_by(
    session: Session, dimension: str, *, since: datetime, limit: int = 50
) -> list[UsageGroup]:
    """Totals per "model", "purpose", "user" (e-mail, or "—" for none) or "day" since ``since``,
    costliest first (days: in date order)."""
    key: ColumnElement[Any]
    if dimension == "day":
        key = func.date(UsageRecord.ts)
    else:
        columns: dict[str, ColumnElement[Any]] = {
            "model": UsageRecord.model.expression,
            "purpose": UsageRecord.purpose.expression,
            "user": User.email.expression,
        }
        key = columns[dimension]
    cost = func.sum(UsageRecord.cost_usd)
    query = (
        select(
            key,
            func.count(),
            func.sum(UsageRecord.input_tokens),
            func.sum(UsageRecord.cached_tokens),
            func.sum(UsageRecord.output_tokens),
            cost,
        )
        .select_from(UsageRecord)
        .where(UsageRecord.ts >= since)
        .group_by(key)
        .order_by(key if dimension == "day" else cost.desc())
        .limit(limit if dimension != "day" else 366)
    )
    if dimension == "user":
        query = query.outerjoin(User, User.id == UsageRecord.user_id)
    return [
        UsageGroup(
            "—" if value is None else str(value),
            int(calls),
            int(tokens_in or 0),
            int(cached or 0),
            int(tokens_out or 0),
            float(spent or 0.0),
        )
        for value, calls, tokens_in, cached, tokens_out, spent in session.execute(query)
    ]
