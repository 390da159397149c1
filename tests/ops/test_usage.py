"""LLM usage totals are computed in SQL per model and purpose."""

from __future__ import annotations

from sqlalchemy.orm import Session

from palm.llm import UsageEvent, record_usage
from palm.ops import usage_summary


def event(
    model: str, *, hit: bool = False, fallback: bool = False, cost: float = 0.01
) -> UsageEvent:
    return UsageEvent(
        provider="openai",
        model=model,
        purpose="reading",
        input_tokens=0 if hit else 300,
        output_tokens=0 if hit else 100,
        cached_tokens=0,
        cost_usd=0.0 if hit else cost,
        latency_ms=5.0,
        cache_hit=hit,
        outcome="fallback" if fallback else "ok",
    )


def test_summary_adds_up_calls_hits_fallbacks_tokens_and_cost(session: Session) -> None:
    record_usage(
        session,
        [event("a"), event("a", hit=True), event("a", fallback=True), event("b", cost=0.5)],
        user_id=None,
        reading_id=None,
    )
    session.flush()
    rows = {row.model: row for row in usage_summary(session)}
    assert [row.model for row in usage_summary(session)] == ["b", "a"]  # most spend first
    a = rows["a"]
    assert (a.calls, a.cache_hits, a.fallbacks, a.input_tokens, a.output_tokens) == (
        3,
        1,
        1,
        600,
        200,
    )
    assert round(a.cost_usd, 4) == 0.02
