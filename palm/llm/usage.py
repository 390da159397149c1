"""What an LLM call used and cost: counted while it runs, recorded with the work it served."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from palm.models import UsageRecord


@dataclass
class Spend:
    """Tokens used so far by one piece of work (a reading type with its repair, a chat answer);
    ``reported`` says whether the server counted them or we estimated."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    reported: bool = False

    def add(self, usage: Any) -> None:
        """Add an OpenAI ``usage`` object (non-streamed reply or a stream's final chunk)."""
        self.input_tokens += int(usage.prompt_tokens or 0)
        self.output_tokens += int(usage.completion_tokens or 0)
        details = getattr(usage, "prompt_tokens_details", None)
        self.cached_tokens += int(getattr(details, "cached_tokens", 0) or 0) if details else 0
        self.reported = True


@dataclass(frozen=True)
class UsageEvent:
    """One trip to the LLM (or its cache), for the usage_records table.

    ``outcome`` is "fallback" when the offline reader had to answer instead, and
    ``error_code`` says why; ``price_known`` is False for a model missing from the price table.
    """

    provider: str
    model: str
    purpose: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost_usd: float
    latency_ms: float
    cache_hit: bool
    outcome: Literal["ok", "fallback"]
    error_code: str | None = None
    price_known: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_usage(
    session: Session, events: Iterable[UsageEvent], *, user_id: int | None, reading_id: int | None
) -> list[UsageRecord]:
    """Add a usage row per event to the caller's transaction."""
    rows = []
    for event in events:
        fields = event.to_dict()
        del fields["price_known"]
        rows.append(UsageRecord(user_id=user_id, reading_id=reading_id, **fields))
    session.add_all(rows)
    return rows
