"""The one OpenAI-compatible client of a process: model, provider, prices and the two calls
Palmline makes (a JSON completion for readings, a stream for chat), with usage counted.

Retries are ours, not the SDK's (its client is built with ``max_retries=0``): 429, 408/409,
5xx, timeouts and lost connections are tried again with backoff, honouring ``retry-after`` /
``retry-after-ms``, and under a Deadline (palm.llm.deadline) no try outlasts the budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, cast

import httpx
import openai

from palm.llm.deadline import UNBOUNDED, Deadline, DeadlineExceededError, within
from palm.llm.errors import BudgetExhaustedError
from palm.llm.pricing import PriceTable
from palm.llm.tokens import estimate_input_tokens, estimate_text_tokens
from palm.llm.usage import Spend, UsageEvent
from palm.settings import Settings

DEFAULT_TIMEOUT = 30.0  # seconds, when the client's timeout is an httpx.Timeout
#: Placeholder key for OpenAI-compatible servers that need none (local models): the SDK
#: refuses to start without a key.
NO_KEY = "not-needed"


def make_openai_client(
    api_key: str | None,
    base_url: str | None,
    *,
    timeout: float,
    http_client: httpx.Client | None = None,
) -> openai.OpenAI:
    """A configured client with no retries of its own (LLM retries); tests inject
    ``http_client`` (MockTransport) or a stub base_url."""
    options: dict[str, Any] = {"api_key": api_key or NO_KEY, "timeout": timeout, "max_retries": 0}
    if base_url:
        options["base_url"] = base_url
    if http_client is not None:
        # openai 3.x is typed against httpx2 but accepts a legacy httpx.Client as well.
        options["http_client"] = cast(Any, http_client)
    return openai.OpenAI(**options)


class LLM:
    """A model behind an OpenAI-compatible API, priced, with its usage turned into events."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        prices: PriceTable,
        provider: str = "openai",
        max_retries: int = 2,
    ) -> None:
        self.client = client
        self.model = model
        self.prices = prices
        self.provider = provider
        self.max_retries = max_retries
        timeout = client.timeout
        self.timeout = float(timeout) if isinstance(timeout, int | float) else DEFAULT_TIMEOUT
        #: Asked before every request: False once this month's budget is spent (palm.runtime
        #: sets it; without one, nothing stops a call).
        self.allowed: Callable[[], bool] | None = None

    @property
    def engine(self) -> str:
        """How readings and answers name what wrote them."""
        return f"llm:{self.model}"

    def _create(self, deadline: Deadline | None, **request: Any) -> Any:
        """``chat.completions.create`` with our retries, inside the deadline if there is one."""

        if self.allowed is not None and not self.allowed():
            raise BudgetExhaustedError()

        def attempt(limit: float) -> Any:
            return self.client.chat.completions.create(**request, timeout=limit)

        return within(deadline or UNBOUNDED, self.max_retries + 1, self.timeout, attempt)

    def complete_json(
        self,
        messages: list[Any],
        spend: Spend,
        *,
        temperature: float,
        max_tokens: int,
        deadline: Deadline | None = None,
    ) -> str | None:
        """One chat completion in JSON mode; adds its usage to ``spend``."""
        response = self._create(
            deadline,
            model=self.model,
            messages=messages,
            response_format={"type": "json_object"},
            temperature=temperature,
            max_completion_tokens=max_tokens,
        )
        if response.usage is not None:
            spend.add(response.usage)
        return cast(str | None, response.choices[0].message.content if response.choices else None)

    def stream(
        self,
        messages: list[Any],
        spend: Spend,
        *,
        temperature: float,
        max_tokens: int,
        deadline: Deadline | None = None,
    ) -> Iterator[str]:
        """The reply's text as it arrives; the final chunk's usage goes into ``spend``.
        Under a deadline a reply still streaming when it passes ends with DeadlineExceededError."""
        response = self._create(
            deadline,
            model=self.model,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
            temperature=temperature,
            max_completion_tokens=max_tokens,
        )
        for chunk in response:
            if deadline is not None and deadline.remaining() <= 0:
                response.close()
                raise DeadlineExceededError("the reply was still streaming when the budget ran out")
            if chunk.usage is not None:
                spend.add(chunk.usage)
            for choice in chunk.choices:
                if choice.delta.content:
                    yield choice.delta.content

    def usage_event(
        self,
        purpose: str,
        spend: Spend,
        started: float,
        *,
        cache_hit: bool = False,
        error: str | None = None,
    ) -> UsageEvent:
        """The usage record of one piece of work (``started``: its perf_counter start)."""
        cost = self.prices.cost(
            self.model, spend.input_tokens, spend.cached_tokens, spend.output_tokens
        )
        return UsageEvent(
            provider=self.provider,
            model=self.model,
            purpose=purpose,
            input_tokens=spend.input_tokens,
            output_tokens=spend.output_tokens,
            cached_tokens=spend.cached_tokens,
            cost_usd=cost.usd,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            cache_hit=cache_hit,
            outcome="fallback" if error else "ok",
            error_code=error,
            price_known=cost.known,
        )


def estimate_unreported(spend: Spend, messages: list[Any], reply: str) -> None:
    """Fill in estimates when the server sent no usage (some compatible servers don't)."""
    if not spend.reported:
        spend.input_tokens = estimate_input_tokens(messages)
        spend.output_tokens = estimate_text_tokens(reply)


def build_llm(settings: Settings) -> LLM | None:
    """The configured model, or None (the offline reader) when no key and no base URL are set."""
    api_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not api_key and not settings.openai_base_url:
        return None
    client = make_openai_client(
        api_key,
        settings.openai_base_url,
        timeout=settings.palm_llm_timeout,
    )
    provider = "openai-compatible" if settings.openai_base_url else "openai"
    return LLM(
        client,
        settings.openai_model,
        prices=PriceTable(settings.palm_price_overrides),
        provider=provider,
        max_retries=settings.palm_llm_max_retries,
    )
