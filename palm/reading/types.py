"""The readers' vocabulary: analysis types, interpretations, usage events and outcomes.

Everything here is JSON-serialisable so workers can store it and pages can show it without
knowing which reader produced it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from palm.errors import PalmError

DISCLAIMER = (
    "Palm reading is a tradition, not a science. These readings are for entertainment only: "
    "they are not medical, psychological, financial or legal advice, and they predict nothing."
)

#: Engine label of the rule-based reader; the LLM reader's is ``llm:<model>``.
OFFLINE_ENGINE = "offline"


class AnalysisType(StrEnum):
    """What a person can ask the palm about."""

    LIFE = "life"
    LOVE = "love"
    CAREER = "career"
    HEALTH = "health"
    HEAD = "head"


#: Other names people (and the issue) use for the same analysis types.
TYPE_ALIASES: dict[str, AnalysisType] = {
    "heart": AnalysisType.LOVE,
    "fate": AnalysisType.CAREER,
    "mercury": AnalysisType.HEALTH,
}

#: Which palm lines each analysis type reads, most important first.
TYPE_LINES: dict[AnalysisType, tuple[str, ...]] = {
    AnalysisType.LIFE: ("life",),
    AnalysisType.LOVE: ("heart",),
    AnalysisType.CAREER: ("fate", "sun"),
    AnalysisType.HEALTH: ("mercury", "life"),
    AnalysisType.HEAD: ("head",),
}


def expand_types(values: Iterable[str]) -> list[AnalysisType]:
    """Turn user input ("full", aliases, duplicates) into analysis types in canonical order."""
    wanted: set[AnalysisType] = set()
    for raw in values:
        value = str(raw).strip().lower()
        if value == "full":
            wanted.update(AnalysisType)
        elif value in TYPE_ALIASES:
            wanted.add(TYPE_ALIASES[value])
        else:
            try:
                wanted.add(AnalysisType(value))
            except ValueError:
                raise PalmError(
                    "UNKNOWN_ANALYSIS_TYPE", f"“{raw}” is not an analysis type."
                ) from None
    return [kind for kind in AnalysisType if kind in wanted]


class Interpretation(BaseModel):
    """One analysis type's reading of one palm."""

    model_config = ConfigDict(frozen=True)

    analysis_type: AnalysisType
    title: str
    text: str
    per_line: dict[str, str]
    confidence: float = Field(ge=0.0, le=1.0)
    engine: str
    table_version: str | None = None
    prompt_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interpretation:
        return cls.model_validate(data)


@dataclass(frozen=True)
class UsageEvent:
    """One analysis type's trip to the LLM (or its cache), for the usage_records table.

    Tokens add up the first call and the repair call when there was one; ``outcome`` is
    "fallback" when the offline reader had to answer instead, and ``error_code`` says why.
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


@dataclass(frozen=True)
class ReaderOutcome:
    """What the worker stores: the readings, the usage to record and what fell back why."""

    interpretations: list[Interpretation]
    usage_events: list[UsageEvent] = field(default_factory=list)
    fallbacks: dict[AnalysisType, str] = field(default_factory=dict)

    @property
    def engine(self) -> str:
        """``offline``, ``llm:<model>``, or ``llm:<model>+offline`` when some types fell back."""
        engines = sorted({item.engine for item in self.interpretations})
        llm = [name for name in engines if name != OFFLINE_ENGINE]
        if not llm:
            return OFFLINE_ENGINE
        return "+".join(llm + ([OFFLINE_ENGINE] if OFFLINE_ENGINE in engines else []))

    @property
    def fallback_reasons(self) -> list[str]:
        """Distinct error codes, for the Reading row's error_code / logs."""
        return sorted(set(self.fallbacks.values()))
