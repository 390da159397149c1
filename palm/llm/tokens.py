"""Token estimates for when a server reports no usage (and for budgeting prompts).

No tokenizer ships offline, so these are deliberately simple and err high for short words.
"""

from __future__ import annotations

import math
from typing import Any

#: OpenAI bills a "low" detail image at a flat 85 tokens.
LOW_DETAIL_IMAGE_TOKENS = 85
#: Per-message framing tokens in the chat format (role, separators).
MESSAGE_OVERHEAD_TOKENS = 4


def estimate_text_tokens(text: str) -> int:
    """Rough tokens of English/JSON text: ~4 characters a token."""
    return math.ceil(len(text) / 4)


def estimate_input_tokens(messages: list[Any]) -> int:
    """Estimated prompt tokens of a chat request: text, 85 per low-detail image, framing."""
    total = 0
    for message in messages:
        total += MESSAGE_OVERHEAD_TOKENS
        content = message.get("content")
        parts = [content] if isinstance(content, str) else list(content or [])
        for part in parts:
            if isinstance(part, str):
                total += estimate_text_tokens(part)
            elif part.get("type") == "text":
                total += estimate_text_tokens(str(part.get("text", "")))
            elif part.get("type") == "image_url":
                total += LOW_DETAIL_IMAGE_TOKENS
    return total
