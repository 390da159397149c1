"""The LLM reader: one structured-JSON chat completion per analysis type, cached, costed, and
replaced by the offline reading for that type whenever anything goes wrong.

Per type: cache lookup → request → validate (pydantic + guardrails) → one repair request if the
reply is unusable → on any failure the offline interpretation, with the reason as error_code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import openai
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, Field, ValidationError

from palm.reading.cache import ResponseCache, cache_key, settings_hash
from palm.reading.guardrails import forbidden_words
from palm.reading.image import MAX_SIDE, palm_crop_data_url
from palm.reading.offline import line_confidence, missing_line_text, read_type
from palm.reading.pricing import PriceTable
from palm.reading.prompts import PROMPT_VERSION, build_messages, repair_messages
from palm.reading.table import load_table
from palm.reading.types import (
    TYPE_LINES,
    AnalysisType,
    Interpretation,
    ReaderOutcome,
    UsageEvent,
)
from palm.vision.result import PalmAnalysis

log = logging.getLogger(__name__)


class LLMReply(BaseModel):
    """The JSON object the prompt asks for."""

    per_line: dict[str, str]
    overall: str = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0)


class ReplyError(Exception):
    """The model answered, but not with something we can show."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class Spend:
    """Tokens used so far by one analysis type (first call plus repair)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0


def error_code(exc: BaseException) -> str:
    """The fallback reason recorded for a failure."""
    if isinstance(exc, ReplyError):
        return exc.code
    if isinstance(exc, openai.APITimeoutError):
        return "LLM_TIMEOUT"
    if isinstance(exc, openai.APIConnectionError):
        return "LLM_UNAVAILABLE"
    if isinstance(exc, openai.RateLimitError):
        return "LLM_RATE_LIMITED"
    if isinstance(exc, openai.APIStatusError):
        return "LLM_SERVER_ERROR" if exc.status_code >= 500 else "LLM_REJECTED"
    return "LLM_ERROR"


def parse_reply(content: str | None, analysis: PalmAnalysis, kind: AnalysisType) -> LLMReply:
    """Validate a reply: JSON, schema, a text for every found line, no forbidden words."""
    try:
        reply = LLMReply.model_validate_json(content or "")
    except ValidationError as exc:
        raise ReplyError("LLM_BAD_JSON", exc.errors()[0]["msg"]) from exc
    found = [name for name in TYPE_LINES[kind] if name in analysis.found_lines]
    absent = [name for name in found if not reply.per_line.get(name, "").strip()]
    if absent:
        raise ReplyError("LLM_BAD_JSON", f"per_line lacks {', '.join(absent)}")
    texts = [reply.overall, *(reply.per_line.get(name, "") for name in found)]
    unsafe = sorted({word.lower() for text in texts for word in forbidden_words(text)})
    if unsafe:
        raise ReplyError("LLM_UNSAFE_CONTENT", f"do not use the words {', '.join(unsafe)}")
    return reply


class LLMReader:
    """Reads palms through an OpenAI-compatible chat completions API."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        cache: ResponseCache | None,
        prices: PriceTable,
        provider: str = "openai",
        temperature: float = 0.8,
        max_output_tokens: int = 600,
        image_max_side: int = MAX_SIDE,
    ) -> None:
        self.client = client
        self.model = model
        self.cache = cache
        self.prices = prices
        self.provider = provider
        self.temperature = temperature
        self.max_output_tokens = max_output_tokens
        self.image_max_side = image_max_side
        self.settings_hash = settings_hash(
            temperature=temperature,
            max_output_tokens=max_output_tokens,
            image_max_side=image_max_side,
            detail="low",
        )

    @property
    def engine(self) -> str:
        return f"llm:{self.model}"

    def read(
        self,
        analysis: PalmAnalysis,
        types: Sequence[AnalysisType],
        *,
        image_sha256: str,
        palm_crop_jpeg: bytes | None,
        seed: str,
    ) -> ReaderOutcome:
        """Interpret each type; a failing type falls back alone, the others keep the LLM."""
        image_url = (
            palm_crop_data_url(palm_crop_jpeg, max_side=self.image_max_side)
            if palm_crop_jpeg
            else None
        )
        interpretations, events, fallbacks = [], [], {}
        for kind in types:
            interpretation, event = self._read_type(analysis, kind, image_sha256, image_url, seed)
            interpretations.append(interpretation)
            events.append(event)
            if event.error_code:
                fallbacks[kind] = event.error_code
        return ReaderOutcome(interpretations, events, fallbacks)

    def _read_type(
        self,
        analysis: PalmAnalysis,
        kind: AnalysisType,
        image_sha256: str,
        image_url: str | None,
        seed: str,
    ) -> tuple[Interpretation, UsageEvent]:
        started = time.perf_counter()
        key = cache_key(image_sha256, kind.value, self.model, PROMPT_VERSION, self.settings_hash)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            return cached, self._event(kind, Spend(), started, cache_hit=True, error=None)
        spend = Spend()
        messages = build_messages(analysis, kind, image_url)
        try:
            reply = self._ask_valid(messages, analysis, kind, spend)
        except Exception as exc:
            code = error_code(exc)
            log.warning("LLM reading of %s fell back to offline: %s (%s)", kind, code, exc)
            fallback = read_type(analysis, kind, seed=seed)
            return fallback, self._event(kind, spend, started, cache_hit=False, error=code)
        interpretation = self._interpretation(analysis, kind, reply, seed)
        if self.cache:
            self.cache.put(key, interpretation)
        return interpretation, self._event(kind, spend, started, cache_hit=False, error=None)

    def _ask_valid(
        self,
        messages: list[ChatCompletionMessageParam],
        analysis: PalmAnalysis,
        kind: AnalysisType,
        spend: Spend,
    ) -> LLMReply:
        """A valid reply, after at most one repair request."""
        content = self._complete(messages, spend)
        try:
            return parse_reply(content, analysis, kind)
        except ReplyError as error:
            repair = repair_messages(messages, content or "", error.detail)
            return parse_reply(self._complete(repair, spend), analysis, kind)

    def _complete(self, messages: list[ChatCompletionMessageParam], spend: Spend) -> str | None:
        """One chat completion in JSON mode; adds its usage to ``spend``."""
        response = self.client.chat.completions.create(
            model=self.model,
            messages=messages,
            response_format={"type": "json_object"},
            temperature=self.temperature,
            max_completion_tokens=self.max_output_tokens,
        )
        usage = response.usage
        if usage is not None:
            spend.input_tokens += usage.prompt_tokens
            spend.output_tokens += usage.completion_tokens
            details = usage.prompt_tokens_details
            spend.cached_tokens += (details.cached_tokens or 0) if details else 0
        return response.choices[0].message.content if response.choices else None

    def _interpretation(
        self, analysis: PalmAnalysis, kind: AnalysisType, reply: LLMReply, seed: str
    ) -> Interpretation:
        """The reply as an Interpretation; lines not found get the honest text, not the LLM's."""
        table = load_table()
        phrases = table.types[kind]
        per_line = {
            name: reply.per_line[name].strip()
            if name in analysis.found_lines
            else missing_line_text(table, phrases.lines[name].label, seed, kind.value)
            for name in TYPE_LINES[kind]
        }
        return Interpretation(
            analysis_type=kind,
            title=phrases.title,
            text=reply.overall.strip(),
            per_line=per_line,
            confidence=min(reply.confidence, line_confidence(analysis, kind)),
            engine=self.engine,
            table_version=table.version,
            prompt_version=PROMPT_VERSION,
        )

    def _event(
        self,
        kind: AnalysisType,
        spend: Spend,
        started: float,
        *,
        cache_hit: bool,
        error: str | None,
    ) -> UsageEvent:
        cost = self.prices.cost(
            self.model, spend.input_tokens, spend.cached_tokens, spend.output_tokens
        )
        return UsageEvent(
            provider=self.provider,
            model=self.model,
            purpose=f"reading:{kind.value}",
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
