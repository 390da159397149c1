"""The LLM side of Palmline: one OpenAI-compatible client wrapper, prices, guardrails, token
estimates and usage records. Readers and the chat build on it; nothing here knows palms."""

from palm.llm.budget import (
    BudgetGate,
    BudgetStatus,
    budget_status,
    month_spend,
    month_start,
    note_warning,
    set_budget,
    warn_if_due,
)
from palm.llm.client import LLM, build_llm, estimate_unreported, make_openai_client
from palm.llm.deadline import Deadline, DeadlineExceededError
from palm.llm.errors import LLM_ERRORS, BudgetExhaustedError, ReplyError, error_code
from palm.llm.guardrails import forbidden_words
from palm.llm.pricing import DEFAULT_PRICES, PRICE_TABLE_VERSION, Cost, ModelPrice, PriceTable
from palm.llm.tokens import (
    LOW_DETAIL_IMAGE_TOKENS,
    estimate_input_tokens,
    estimate_text_tokens,
)
from palm.llm.usage import Spend, UsageEvent, record_usage

__all__ = [
    "DEFAULT_PRICES",
    "LLM",
    "LLM_ERRORS",
    "LOW_DETAIL_IMAGE_TOKENS",
    "PRICE_TABLE_VERSION",
    "BudgetExhaustedError",
    "BudgetGate",
    "BudgetStatus",
    "Cost",
    "Deadline",
    "DeadlineExceededError",
    "ModelPrice",
    "PriceTable",
    "ReplyError",
    "Spend",
    "UsageEvent",
    "budget_status",
    "build_llm",
    "error_code",
    "estimate_input_tokens",
    "estimate_text_tokens",
    "estimate_unreported",
    "forbidden_words",
    "make_openai_client",
    "month_spend",
    "month_start",
    "note_warning",
    "record_usage",
    "set_budget",
    "warn_if_due",
]
