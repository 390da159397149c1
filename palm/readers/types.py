"""What readers produce: interpretations, and the outcome a worker stores.

Everything here is JSON-serialisable so workers can store it and pages can show it without
knowing which reader produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from palm.llm import UsageEvent
from palm.vocabulary import AnalysisType

DISCLAIMER = (
    "Palm reading is a tradition, not a science. These readings are for entertainment only: "
    "they are not medical, psychological, financial or legal advice, and they predict nothing."
)

#: Engine label of the rule-based reader; the LLM reader's is ``llm:<model>``.
OFFLINE_ENGINE = "offline"


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
