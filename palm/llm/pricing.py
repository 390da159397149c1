"""LLM prices, in one place: USD per million input, cached-input and output tokens.

PRICE_TABLE_VERSION names the table below; overrides (a JSON mapping such as
``{"my-model": {"input": 0.5, "cached_input": 0.25, "output": 1.5}}``, from the constructor or
the PALM_PRICE_OVERRIDES setting) replace or add models and change the reported version.
Unknown models cost 0 and come back flagged (``known=False``) so the admin page can say so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from palm.errors import PalmError

PRICE_TABLE_VERSION = "prices-2025-06"


class ModelPrice(BaseModel):
    """USD per 1M tokens."""

    model_config = ConfigDict(frozen=True)

    input: float = Field(ge=0)
    cached_input: float = Field(ge=0)
    output: float = Field(ge=0)


DEFAULT_PRICES: dict[str, ModelPrice] = {
    "gpt-4o-mini": ModelPrice(input=0.15, cached_input=0.075, output=0.60),
    "gpt-4o": ModelPrice(input=2.50, cached_input=1.25, output=10.00),
    "gpt-4.1": ModelPrice(input=2.00, cached_input=0.50, output=8.00),
    "gpt-4.1-mini": ModelPrice(input=0.40, cached_input=0.10, output=1.60),
    "gpt-4.1-nano": ModelPrice(input=0.10, cached_input=0.025, output=0.40),
    "gpt-5": ModelPrice(input=1.25, cached_input=0.125, output=10.00),
    "gpt-5-mini": ModelPrice(input=0.25, cached_input=0.025, output=2.00),
    "gpt-5-nano": ModelPrice(input=0.05, cached_input=0.005, output=0.40),
}


@dataclass(frozen=True)
class Cost:
    usd: float
    known: bool


def parse_overrides(raw: str | Mapping[str, Any] | None) -> dict[str, ModelPrice]:
    """Validate an override mapping (or its JSON text); a bad one is a configuration error."""
    if raw is None or raw == "":
        return {}
    try:
        data = json.loads(raw) if isinstance(raw, str) else dict(raw)
        return {str(model): ModelPrice.model_validate(price) for model, price in data.items()}
    except (ValueError, TypeError, AttributeError, ValidationError) as exc:
        raise PalmError(
            "PRICE_OVERRIDES_INVALID",
            "PALM_PRICE_OVERRIDES must map model names to {input, cached_input, output} "
            f"prices in USD per million tokens ({exc.__class__.__name__}).",
        ) from exc


class PriceTable:
    """Looks up a model's price (exact name, else the longest known prefix: dated snapshots)."""

    def __init__(
        self,
        overrides: str | Mapping[str, Any] | None = None,
        *,
        base: Mapping[str, ModelPrice] | None = None,
    ) -> None:
        extra = parse_overrides(overrides)
        self.prices: dict[str, ModelPrice] = {**(base or DEFAULT_PRICES), **extra}
        self.version = PRICE_TABLE_VERSION + ("+overrides" if extra else "")

    def price_for(self, model: str) -> ModelPrice | None:
        if model in self.prices:
            return self.prices[model]
        prefixes = [name for name in self.prices if model.startswith(name + "-")]
        return self.prices[max(prefixes, key=len)] if prefixes else None

    def cost(self, model: str, input_tokens: int, cached_tokens: int, output_tokens: int) -> Cost:
        """USD for one call; cached tokens are part of input tokens, billed at their rate."""
        price = self.price_for(model)
        if price is None:
            return Cost(usd=0.0, known=False)
        cached = min(cached_tokens, input_tokens)
        usd = (
            (input_tokens - cached) * price.input
            + cached * price.cached_input
            + output_tokens * price.output
        ) / 1_000_000
        return Cost(usd=round(usd, 8), known=True)
