"""LLM usage records: what each call cost, for the admin page."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from palm.models import UsageRecord
from palm.reading.types import UsageEvent


def record_usage(
    session: Session, events: Iterable[UsageEvent], *, user_id: int | None, reading_id: int | None
) -> list[UsageRecord]:
    rows = [
        UsageRecord(
            user_id=user_id,
            reading_id=reading_id,
            provider=event.provider,
            model=event.model,
            purpose=event.purpose,
            input_tokens=event.input_tokens,
            output_tokens=event.output_tokens,
            cached_tokens=event.cached_tokens,
            cost_usd=event.cost_usd,
            latency_ms=event.latency_ms,
            cache_hit=event.cache_hit,
            outcome=event.outcome,
            error_code=event.error_code,
        )
        for event in events
    ]
    session.add_all(rows)
    return rows
