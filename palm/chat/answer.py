"""Producing one chat answer: stream the LLM's sentences, or fall back to the offline reader
with a visible note. Pure data in (a TurnPlan), an Answer out; storing it is chat_turns' job.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from palm.chat import offline as chat_offline
from palm.chat.llm import ChatLLM
from palm.chat.memory import ChatContext
from palm.llm import (
    LLM_ERRORS,
    Spend,
    UsageEvent,
    error_code,
    estimate_input_tokens,
    estimate_text_tokens,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnPlan:
    """What an answer needs, as plain data: no session, no ORM objects."""

    user_id: int
    conversation_id: int
    question_id: int
    reading_id: int | None
    context: ChatContext
    messages: list[dict[str, str]]


@dataclass
class Answer:
    text: str
    engine: str
    topic: str | None
    suggestions: list[str]
    note: str | None = None
    error_code: str | None = None
    usage: UsageEvent | None = None
    output_tokens: int = 0
    input_tokens: int = 0


class AnswerStream:
    """Iterate for the answer's text as it is produced; afterwards ``answer`` holds it all."""

    def __init__(self, plan: TurnPlan, llm: ChatLLM | None) -> None:
        self.plan = plan
        self.llm = llm
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        offline = chat_offline.answer(self.plan.context)
        if self.llm is None:
            self.answer = _offline_answer(offline, self.plan)
            yield from _words(offline.text)
            return
        yield from self._from_llm(self.llm, offline)

    def _from_llm(self, llm: ChatLLM, offline: chat_offline.ReaderAnswer) -> Iterator[str]:
        started, usage, parts = time.perf_counter(), Spend(), []
        try:
            for sentence in llm.stream(self.plan.messages, usage):
                parts.append(sentence)
                yield sentence
        except LLM_ERRORS as exc:  # an LLM failure falls back; the question is already saved
            yield from self._fall_back(llm, offline, exc, parts, usage, started)
            return
        text = "".join(parts).strip()
        event = llm.usage_event(self.plan.messages, text, usage, started, None)
        self.answer = Answer(
            text=text,
            engine=llm.engine,
            topic=offline.topic,
            suggestions=offline.suggestions,
            usage=event,
            input_tokens=event.input_tokens,
            output_tokens=event.output_tokens,
        )

    def _fall_back(
        self,
        llm: ChatLLM,
        offline: chat_offline.ReaderAnswer,
        exc: Exception,
        parts: list[str],
        usage: Spend,
        started: float,
    ) -> Iterator[str]:
        """The note and the offline answer after what was already shown, all of it kept:
        the stored answer is what the person read, and the tokens spent are recorded."""
        code = error_code(exc)
        log.warning("chat answer fell back to offline: %s (%s)", code, exc)
        shown = "".join(parts).strip()
        note = fallback_note(code, partial=bool(shown))
        event = llm.usage_event(self.plan.messages, shown, usage, started, code)
        yield f"\n\n({note})\n\n"
        if code == "LLM_TOO_LONG" and shown:  # what was said stands; only the rest is cut
            text, tail = shown, ""
        else:
            text, tail = "\n\n".join(filter(None, [shown, offline.text])), offline.text
            yield from _words(tail)
        self.answer = Answer(
            text=text,
            engine=llm.engine if tail == "" else offline.engine,
            topic=offline.topic,
            suggestions=offline.suggestions,
            note=note,
            error_code=code,
            usage=event,
            input_tokens=event.input_tokens,
            output_tokens=event.output_tokens + estimate_text_tokens(tail),
        )

    def run(self) -> Answer:
        """Consume the stream (no UI): the stored answer."""
        for _ in self:
            pass
        assert self.answer is not None
        return self.answer


def fallback_note(code: str, *, partial: bool) -> str:
    why = {
        "LLM_UNSAFE_CONTENT": "strayed into medical or lifespan talk",
        "LLM_TIMEOUT": "took too long",
        "LLM_UNAVAILABLE": "could not be reached",
        "LLM_RATE_LIMITED": "is busy",
        "LLM_DEADLINE": "took too long",
        "LLM_TOO_LONG": "went on too long",
        "LLM_BUDGET": "has used up this month's budget",
    }.get(code, "failed")
    cut = " stopped mid-answer: it" if partial else ""
    if code == "LLM_TOO_LONG" and partial:
        return f"The AI reader's answer was cut short: it {why} ({code})."
    return f"The AI reader{cut} {why} ({code}); this is the offline reader's answer instead."


def _offline_answer(
    offline: chat_offline.ReaderAnswer,
    plan: TurnPlan,
    *,
    note: str | None = None,
    code: str | None = None,
    usage: UsageEvent | None = None,
) -> Answer:
    return Answer(
        text=offline.text,
        engine=offline.engine,
        topic=offline.topic,
        suggestions=offline.suggestions,
        note=note,
        error_code=code,
        usage=usage,
        input_tokens=estimate_input_tokens(plan.messages),
        output_tokens=estimate_text_tokens(offline.text),
    )


def _words(text: str) -> Iterator[str]:
    """The offline answer in word-sized pieces, so it streams like the LLM's."""
    for index, word in enumerate(text.split(" ")):
        yield word if index == 0 else " " + word
