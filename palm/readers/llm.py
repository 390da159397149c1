"""The LLM reader: one structured-JSON chat completion per analysis type, cached, costed, and
replaced by the offline reading for that type whenever anything goes wrong.

Per type: cache lookup → request → validate (size, pydantic, guardrails) → one repair request
if the reply is unusable → on an LLM failure the offline interpretation, with the reason as
error_code. All calls of one analysis share a Deadline; anything that is not an LLM failure
(RQ's job timeout above all) is not caught here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, Field, ValidationError

from palm.llm import (
    LLM,
    LLM_ERRORS,
    Deadline,
    ReplyError,
    Spend,
    UsageEvent,
    error_code,
    forbidden_words,
)
from palm.readers.cache import ResponseCache, cache_key, settings_hash
from palm.readers.image import MAX_SIDE, palm_crop_data_url
from palm.readers.offline import (
    DEFAULT_STYLE,
    line_confidence,
    line_label,
    missing_line_text,
    read_type,
    type_title,
)
from palm.readers.prompts import PROMPT_VERSION, build_messages, repair_messages
from palm.readers.style import ReaderStyle
from palm.readers.table import load_table
from palm.readers.types import Interpretation, ReaderOutcome
from palm.vision import PalmAnalysis
from palm.vocabulary import TYPE_LINES, AnalysisType

log = logging.getLogger(__name__)
#: Characters accepted per token asked for: generous for any language, and a server that
#: ignores max_tokens (a 3 MB reply was seen) is refused before anything is parsed or stored.
CHARS_PER_TOKEN = 8
MAX_TEXT_CHARS = 2000  # one overall text or one line's text, as stored


class LLMReply(BaseModel):
    """The JSON object the prompt asks for."""

    per_line: dict[str, str]
    overall: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    confidence: float = Field(ge=0.0, le=1.0)


def parse_reply(
    content: str | None, analysis: PalmAnalysis, kind: AnalysisType, *, max_chars: int
) -> LLMReply:
    """Validate a reply: its size, JSON, schema, a text for every found line, no forbidden
    words."""
    if content is not None and len(content) > max_chars:
        raise ReplyError("LLM_TOO_LONG", f"{len(content)} characters, at most {max_chars}")
    try:
        reply = LLMReply.model_validate_json(content or "")
    except ValidationError as exc:
        raise ReplyError("LLM_BAD_JSON", exc.errors()[0]["msg"]) from exc
    found = [name for name in TYPE_LINES[kind] if name in analysis.found_lines]
    absent = [name for name in found if not reply.per_line.get(name, "").strip()]
    if absent:
        raise ReplyError("LLM_BAD_JSON", f"per_line lacks {', '.join(absent)}")
    long = [name for name in found if len(reply.per_line[name]) > MAX_TEXT_CHARS]
    if long:
        raise ReplyError("LLM_TOO_LONG", f"per_line {', '.join(long)} over {MAX_TEXT_CHARS}")
    texts = [reply.overall, *(reply.per_line.get(name, "") for name in found)]
    unsafe = sorted({word.lower() for text in texts for word in forbidden_words(text)})
    if unsafe:
        raise ReplyError("LLM_UNSAFE_CONTENT", f"do not use the words {', '.join(unsafe)}")
    return reply


class LLMReader:
    """Reads palms through an OpenAI-compatible chat completions API."""

    def __init__(
        self,
        llm: LLM,
        *,
        cache: ResponseCache | None,
        temperature: float = 0.8,
        max_output_tokens: int = 600,
        image_max_side: int = MAX_SIDE,
    ) -> None:
        self.llm = llm
        self.cache = cache
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
        return self.llm.engine

    def read(
        self,
        analysis: PalmAnalysis,
        types: Sequence[AnalysisType],
        *,
        image_sha256: str,
        palm_crop_jpeg: bytes | None,
        seed: str,
        deadline: Deadline | None = None,
        style: ReaderStyle = DEFAULT_STYLE,
    ) -> ReaderOutcome:
        """Interpret each type in the person's style; a failing type falls back alone (to the
        offline reader in the same style), the others keep the LLM. Once the deadline has
        passed, the remaining types fall back at once."""
        image_url = (
            palm_crop_data_url(palm_crop_jpeg, max_side=self.image_max_side)
            if palm_crop_jpeg
            else None
        )
        interpretations, events, fallbacks = [], [], {}
        for kind in types:
            interpretation, event = self._read_type(
                analysis, kind, image_sha256, image_url, seed, deadline, style
            )
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
        deadline: Deadline | None,
        style: ReaderStyle,
    ) -> tuple[Interpretation, UsageEvent]:
        started = time.perf_counter()
        styled = settings_hash(reader=self.settings_hash, **style.cache_part())
        key = cache_key(image_sha256, kind.value, self.llm.model, PROMPT_VERSION, styled)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            return cached, self._event(kind, Spend(), started, cache_hit=True, error=None)
        spend = Spend()
        messages = build_messages(analysis, kind, image_url, style)
        try:
            reply = self._ask_valid(messages, analysis, kind, spend, deadline)
        except LLM_ERRORS as exc:
            code = error_code(exc)
            log.warning("LLM reading of %s fell back to offline: %s (%s)", kind, code, exc)
            fallback = read_type(analysis, kind, seed=seed, style=style)
            return fallback, self._event(kind, spend, started, cache_hit=False, error=code)
        interpretation = self._interpretation(analysis, kind, reply, seed, style)
        if self.cache:
            self.cache.put(key, interpretation)
        return interpretation, self._event(kind, spend, started, cache_hit=False, error=None)

    def _ask_valid(
        self,
        messages: list[ChatCompletionMessageParam],
        analysis: PalmAnalysis,
        kind: AnalysisType,
        spend: Spend,
        deadline: Deadline | None,
    ) -> LLMReply:
        """A valid reply, after at most one repair request (none for an oversized reply:
        sending it back would only cost more)."""
        cap = self.max_output_tokens * CHARS_PER_TOKEN
        content = self._complete(messages, spend, deadline)
        try:
            return parse_reply(content, analysis, kind, max_chars=cap)
        except ReplyError as error:
            if error.code == "LLM_TOO_LONG":
                raise
            repair = repair_messages(messages, content or "", error.detail)
            repaired = self._complete(repair, spend, deadline)
            return parse_reply(repaired, analysis, kind, max_chars=cap)

    def _complete(
        self,
        messages: list[ChatCompletionMessageParam],
        spend: Spend,
        deadline: Deadline | None,
    ) -> str | None:
        return self.llm.complete_json(
            messages,
            spend,
            temperature=self.temperature,
            max_tokens=self.max_output_tokens,
            deadline=deadline,
        )

    def _interpretation(
        self,
        analysis: PalmAnalysis,
        kind: AnalysisType,
        reply: LLMReply,
        seed: str,
        style: ReaderStyle,
    ) -> Interpretation:
        """The reply as an Interpretation; lines not found get the honest text, not the LLM's
        (in the person's language)."""
        table = load_table()
        per_line = {
            name: reply.per_line[name].strip()
            if name in analysis.found_lines
            else missing_line_text(
                table, line_label(table, kind, name, style), seed, kind.value, style
            )
            for name in TYPE_LINES[kind]
        }
        return Interpretation(
            analysis_type=kind,
            title=type_title(table, kind, style),
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
        return self.llm.usage_event(
            f"reading:{kind.value}", spend, started, cache_hit=cache_hit, error=error
        )
