"""LLM usage totals for the admin page, computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from palm.models import UsageDaily, UsageRecord, UsageUserMonthly, User


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
    """Totals per "model", "purpose" or "day" since ``since``'s day, or per "user" (e-mail,
    "—" for none or a deleted account) over the calendar months from ``since``'s: read from
    the rollups (usage_daily, usage_user_monthly), never the per-call rows. Costliest first;
    days in date order."""
    if dimension == "user":
        return _by_user(session, since.strftime("%Y-%m"), limit)
    keys: dict[str, Any] = {
        "model": UsageDaily.model,
        "purpose": UsageDaily.purpose,
        "day": UsageDaily.day,
    }
    key = keys[dimension]
    cost = func.sum(UsageDaily.cost_usd)
    query = (
        select(
            key,
            func.sum(UsageDaily.calls),
            func.sum(UsageDaily.input_tokens),
            func.sum(UsageDaily.cached_tokens),
            func.sum(UsageDaily.output_tokens),
            cost,
        )
        .where(UsageDaily.day >= since.date())
        .group_by(key)
        .order_by(key if dimension == "day" else cost.desc())
        .limit(366 if dimension == "day" else limit)
    )
    return [_group(str(value), *figures) for value, *figures in session.execute(query)]


def _group(key: str, *figures: Any) -> UsageGroup:
    calls, tokens_in, cached, tokens_out, spent = figures
    return UsageGroup(
        key,
        int(calls or 0),
        int(tokens_in or 0),
        int(cached or 0),
        int(tokens_out or 0),
        float(spent or 0.0),
    )


def _by_user(session: Session, first_month: str, limit: int) -> list[UsageGroup]:
    cost = func.sum(UsageUserMonthly.cost_usd)
    query = (
        select(
            User.email,
            func.sum(UsageUserMonthly.calls),
            func.sum(UsageUserMonthly.input_tokens),
            func.sum(UsageUserMonthly.cached_tokens),
            func.sum(UsageUserMonthly.output_tokens),
            cost,
        )
        .select_from(UsageUserMonthly)
        .outerjoin(User, User.id == UsageUserMonthly.user_id)
        .where(UsageUserMonthly.month >= first_month)
        .group_by(UsageUserMonthly.user_id, User.email)
        .order_by(cost.desc())
        .limit(limit)
    )
    return [
        _group("—" if email is None else str(email), *figures)
        for email, *figures in session.execute(query)
    ]
