"""Context memory: reading facts + a rolling summary of older turns + the last N turns verbatim.

Messages that leave the verbatim window are folded into a structured summary (what the
person said about themselves, and the gist of the last answer per topic), stored encrypted on
the conversation with the id of the last folded message. The summary has fixed caps, the
window has N turns of capped messages, so the prompt of a 200-message thread costs the same
as one of 20. Deterministic (no model call), so it works offline and is testable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.chat.facts import ReadingFacts, first_sentences
from palm.chat.messages import MessageView, message_view
from palm.chat.sealing import seal, unseal
from palm.chat.topics import SELF_DISCLOSURE
from palm.llm import estimate_input_tokens, forbidden_words
from palm.models import Conversation, Message
from palm.settings import Settings
from palm.vocabulary import Language

MAX_FACTS = 16
MAX_FACT_CHARS = 200
MAX_GIST_CHARS = 240
#: Verbatim messages are capped in the prompt (the input box allows more; the thread keeps all).
MAX_PROMPT_MESSAGE_CHARS = 1500
NAME_FACT = re.compile(r"\b(my name is|call me|i'm called|i am called)\b", re.IGNORECASE)


#: A line and the analysis type that reads it answer for each other when recalling.
RELATED_TOPIC = {
    "heart_line": "love",
    "love": "heart_line",
    "head_line": "head",
    "head": "head_line",
    "life_line": "life",
    "life": "life_line",
    "fate_line": "career",
    "sun_line": "career",
    "career": "fate_line",
    "mercury_line": "health",
    "health": "mercury_line",
}


@dataclass(frozen=True)
class MemoryConfig:
    window_turns: int = 6
    budget_tokens: int = 3000


def memory_config(settings: Settings) -> MemoryConfig:
    """From settings: PALM_CHAT_WINDOW turns verbatim, PALM_CHAT_PROMPT_BUDGET tokens."""
    return MemoryConfig(
        window_turns=settings.palm_chat_window,
        budget_tokens=settings.palm_chat_prompt_budget,
    )


def sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+|\n+", text) if part.strip()]


@dataclass
class ThreadSummary:
    """The rolling summary of everything older than the verbatim window."""

    facts: list[str] = field(default_factory=list)
    topics: dict[str, str] = field(default_factory=dict)
    last_topic: str | None = None
    folded: int = 0
    questions: list[str] = field(default_factory=list)  # the first and the latest folded

    def fold(self, message: MessageView) -> None:
        """Take one message that leaves the window into the summary."""
        self.folded += 1
        if message.role == "user":
            if "?" in message.text:
                question = message.text.strip()[:MAX_FACT_CHARS]
                self.questions = [*self.questions[:1], question][-2:]
            for sentence in sentences(message.text):
                self._remember(sentence)
        elif message.topic:
            self.topics.pop(message.topic, None)
            self.topics[message.topic] = first_sentences(message.text, 2)[:MAX_GIST_CHARS]
            self.last_topic = message.topic

    def _remember(self, sentence: str) -> None:
        if sentence.endswith("?") or not SELF_DISCLOSURE.search(sentence):
            return
        if forbidden_words(sentence):  # health talk is not kept for later prompts
            return
        fact = sentence[:MAX_FACT_CHARS]
        self.facts = [f for f in self.facts if f.lower() != fact.lower()] + [fact]
        while len(self.facts) > MAX_FACTS:
            evictable = [f for f in self.facts if not NAME_FACT.search(f)] or self.facts
            self.facts.remove(evictable[0])

    def describe(self) -> str:
        if not self.folded:
            return ""
        parts = [f"Summary of the {self.folded} earlier messages of this conversation."]
        if self.facts:
            parts.append("The person told you: " + " | ".join(self.facts))
        if self.topics:
            parts.append(
                "You already said: " + " | ".join(f"[{t}] {g}" for t, g in self.topics.items())
            )
        return "\n".join(parts)

    def to_json(self) -> str:
        return json.dumps(
            {
                "facts": self.facts,
                "topics": self.topics,
                "last_topic": self.last_topic,
                "folded": self.folded,
                "questions": self.questions,
            }
        )

    @classmethod
    def from_json(cls, raw: str | None) -> ThreadSummary:
        if not raw:
            return cls()
        data: dict[str, Any] = json.loads(raw)
        return cls(
            facts=list(data.get("facts", [])),
            topics=dict(data.get("topics", {})),
            last_topic=data.get("last_topic"),
            folded=int(data.get("folded", 0)),
            questions=list(data.get("questions", [])),
        )


@dataclass(frozen=True)
class ChatContext:
    """Everything a reader (offline or LLM) may use to answer the newest message."""

    reading: ReadingFacts | None
    others: list[ReadingFacts]
    summary: ThreadSummary
    window: list[MessageView]
    reading_is_implicit: bool = False
    language: Language = Language.ENGLISH  # the person's preference, for both readers

    @property
    def question(self) -> str:
        return self.window[-1].text if self.window and self.window[-1].role == "user" else ""

    @property
    def last_topic(self) -> str | None:
        """The topic of the newest answer in the window, else the summary's."""
        for message in reversed(self.window):
            if message.role == "assistant" and message.topic:
                return message.topic
        return self.summary.last_topic

    def earlier_answer(self, topic: str) -> str | None:
        """What the reader last said on a topic (or the analysis type that reads that line):
        from the window verbatim, else the summary's gist."""
        for wanted in (topic, RELATED_TOPIC.get(topic)):
            for message in reversed(self.window[:-1]):
                if message.role == "assistant" and message.topic == wanted:
                    return message.text
        for wanted in (topic, RELATED_TOPIC.get(topic)):
            if wanted in self.summary.topics:
                return self.summary.topics[wanted]
        return None

    def earlier_mentions(self, pattern: re.Pattern[str]) -> list[str]:
        """Sentences of earlier answers (any topic) that speak of something, newest last:
        the love reading may have named the hand shape too."""
        texts = [m.text for m in self.window[:-1] if m.role == "assistant"]
        texts = [*self.summary.topics.values(), *texts]
        return [s for text in texts for s in sentences(text) if pattern.search(s)]

    def first_question(self) -> str | None:
        """The first question of the thread (kept by the summary once it leaves the window)."""
        if self.summary.questions:
            return self.summary.questions[0]
        asked = [m.text for m in self.window[:-1] if m.role == "user" and "?" in m.text]
        return asked[0].strip() if asked else None

    def previous_question(self) -> str | None:
        asked = [m.text for m in self.window[:-1] if m.role == "user" and "?" in m.text]
        if asked:
            return asked[-1].strip()
        return self.summary.questions[-1] if self.summary.questions else None

    def told(self) -> list[str]:
        """Everything the person said about themselves: summary facts, then window messages."""
        window_facts = ThreadSummary()
        for message in self.window[:-1]:
            if message.role == "user":
                window_facts.fold(message)
        return self.summary.facts + [f for f in window_facts.facts if f not in self.summary.facts]


def load_summary(cipher: MultiFernet, conversation: Conversation) -> ThreadSummary:
    token = conversation.summary_token
    return ThreadSummary.from_json(unseal(cipher, token) if token else None)


def build_context(
    session: Session,
    cipher: MultiFernet,
    conversation: Conversation,
    *,
    reading: ReadingFacts | None,
    others: list[ReadingFacts],
    config: MemoryConfig,
    reading_is_implicit: bool = False,
    system_prompt: str = "",
    language: Language = Language.ENGLISH,
) -> ChatContext:
    """Fold what left the window (persisted on the conversation) and return the context."""
    summary = load_summary(cipher, conversation)
    query = select(Message).where(Message.conversation_id == conversation.id)
    if conversation.summary_upto_id is not None:
        query = query.where(Message.id > conversation.summary_upto_id)
    recent = [message_view(cipher, m) for m in session.scalars(query.order_by(Message.id))]
    keep = 2 * config.window_turns + 1
    to_fold, window = recent[:-keep], recent[-keep:]
    context = ChatContext(reading, others, summary, window, reading_is_implicit, language)
    while len(context.window) > 1 and (
        estimate_input_tokens(prompt_messages(context, system_prompt)) > config.budget_tokens
    ):
        to_fold.append(context.window[0])
        context = ChatContext(
            reading, others, summary, context.window[1:], reading_is_implicit, language
        )
    if to_fold:
        for message in to_fold:
            summary.fold(message)
        conversation.summary_token = seal(cipher, summary.to_json())
        conversation.summary_upto_id = to_fold[-1].id
    return context


def facts_block(context: ChatContext) -> str:
    """The system-side knowledge: the reading, the other readings, the summary."""
    parts = []
    if context.reading is not None:
        lead = (
            "latest reading (the thread names none)" if context.reading_is_implicit else "reading"
        )
        parts.append(f"The person's {lead}:\n{context.reading.describe()}")
    else:
        parts.append("The person has no finished reading yet.")
    if context.others:
        parts.append(
            "Their other readings (for comparisons):\n"
            + "\n".join(other.describe(with_texts=False) for other in context.others)
        )
    if context.summary.folded:
        parts.append(context.summary.describe())
    return "\n\n".join(parts)


def prompt_messages(context: ChatContext, system_prompt: str) -> list[dict[str, str]]:
    """The chat request: guardrails, facts + summary, then the verbatim window."""
    messages = [
        {"role": "system", "content": system_prompt},
        {"role": "system", "content": facts_block(context)},
    ]
    messages += [
        {"role": m.role, "content": m.text[:MAX_PROMPT_MESSAGE_CHARS]} for m in context.window
    ]
    return messages
