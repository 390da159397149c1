"""The one place the OpenAI(-compatible) client is created, with explicit timeout and retries.

The SDK's own retry loop handles 429, 408/409 and 5xx with exponential backoff and honours
``retry-after`` / ``retry-after-ms``; timeouts and connection errors are retried too.
"""

from __future__ import annotations

from typing import Any, cast

import httpx
import openai

from palm.settings import Settings

#: Placeholder key for OpenAI-compatible servers that need none (local models): the SDK
#: refuses to start without a key.
NO_KEY = "not-needed"


def make_openai_client(
    api_key: str | None,
    base_url: str | None,
    *,
    timeout: float,
    max_retries: int,
    http_client: httpx.Client | None = None,
) -> openai.OpenAI:
    """A configured client; tests inject ``http_client`` (MockTransport) or a stub base_url."""
    options: dict[str, Any] = {
        "api_key": api_key or NO_KEY,
        "timeout": timeout,
        "max_retries": max_retries,
    }
    if base_url:
        options["base_url"] = base_url
    if http_client is not None:
        # openai 3.x is typed against httpx2 but accepts a legacy httpx.Client as well.
        options["http_client"] = cast(Any, http_client)
    return openai.OpenAI(**options)


def client_from_settings(settings: Settings) -> openai.OpenAI | None:
    """The configured client, or None when neither a key nor a base URL is set (offline)."""
    api_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not api_key and not settings.openai_base_url:
        return None
    return make_openai_client(
        api_key,
        settings.openai_base_url,
        timeout=settings.palm_llm_timeout,
        max_retries=settings.palm_llm_max_retries,
    )


def provider_name(settings: Settings) -> str:
    """What usage records call the provider: OpenAI itself or a compatible server."""
    return "openai-compatible" if settings.openai_base_url else "openai"
