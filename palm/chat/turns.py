"""One turn of a chat: save the question first, then produce (stream) and save the answer.

``start_turn`` checks ownership and the rate limit and stores the question (the caller
commits it before any network call), ``AnswerStream`` yields the answer as it is produced
and falls back to the offline reader with a visible note, ``finish_turn`` stores the answer
and its usage. A failure anywhere after ``start_turn`` never loses the question: the thread
shows it unanswered and ``plan_pending`` answers it later.
"""

from __future__ import annotations

from typing import Protocol

from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.accounts import load_preferences
from palm.chat.answer import Answer, AnswerStream, TurnPlan
from palm.chat.facts import latest_reading_id, other_readings, reading_facts
from palm.chat.llm import ChatLLM, chat_system_prompt
from palm.chat.memory import MemoryConfig, build_context, prompt_messages
from palm.chat.messages import MessageView, add_message, message_view
from palm.chat.sealing import seal, unseal
from palm.chat.threads import get_conversation
from palm.errors import PalmError
from palm.llm import estimate_text_tokens, record_usage
from palm.models import Conversation, Message

DEFAULT_TITLE = "New conversation"
MAX_MESSAGE_CHARS = 2000


class Limiter(Protocol):
    def allows(self, key: str) -> bool: ...


class ChatRateLimitedError(PalmError):
    def __init__(self, per_minute: int | None = None) -> None:
        limit = f" (at most {per_minute} a minute)" if per_minute else ""
        super().__init__(
            "CHAT_RATE_LIMITED",
            f"You are sending messages faster than the reader can answer{limit}. "
            "Wait a moment and send it again; your text was not sent.",
        )


def start_turn(
    session: Session,
    cipher: MultiFernet,
    user_id: int,
    conversation_id: int,
    text: str,
    *,
    config: MemoryConfig,
    limiter: Limiter | None = None,
    per_minute: int | None = None,
) -> TurnPlan:
    """Store the question (owner-checked, rate-limited) and plan its answer."""
    question = text.strip()
    if not question:
        raise PalmError("EMPTY_MESSAGE", "Type a question first.")
    if len(question) > MAX_MESSAGE_CHARS:
        raise PalmError("MESSAGE_TOO_LONG", f"Keep a message under {MAX_MESSAGE_CHARS} characters.")
    conversation = get_conversation(session, user_id, conversation_id)
    if limiter is not None and not limiter.allows(f"user:{user_id}"):
        raise ChatRateLimitedError(per_minute)
    add_message(
        session,
        cipher,
        conversation,
        "user",
        question,
        input_tokens=estimate_text_tokens(question),
    )
    if (
        conversation.message_count == 1
        and unseal(cipher, conversation.title_token) == DEFAULT_TITLE
    ):
        conversation.title_token = seal(cipher, question[:60])
    return plan_answer(session, cipher, user_id, conversation, config)


def plan_answer(
    session: Session,
    cipher: MultiFernet,
    user_id: int,
    conversation: Conversation,
    config: MemoryConfig,
) -> TurnPlan:
    """Context (folding what left the window) and the request for the newest question."""
    reading_id = conversation.reading_id
    implicit = reading_id is None
    if implicit:
        reading_id = latest_reading_id(session, user_id)
    facts = reading_facts(session, user_id, reading_id)
    others = other_readings(session, user_id, reading_id)
    language = load_preferences(session, user_id).language
    system_prompt = chat_system_prompt(language)
    context = build_context(
        session,
        cipher,
        conversation,
        reading=facts,
        others=others,
        config=config,
        reading_is_implicit=implicit and facts is not None,
        system_prompt=system_prompt,
        language=language,
    )
    question_id = context.window[-1].id if context.window else 0
    return TurnPlan(
        user_id=user_id,
        conversation_id=conversation.id,
        question_id=question_id,
        reading_id=facts.reading_id if facts else None,
        context=context,
        messages=prompt_messages(context, system_prompt),
    )


def plan_pending(
    session: Session, cipher: MultiFernet, user_id: int, conversation_id: int, config: MemoryConfig
) -> TurnPlan | None:
    """A plan for the thread's last question when it was never answered, else None."""
    conversation = get_conversation(session, user_id, conversation_id)
    last = session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.id.desc())
        .limit(1)
    )
    if last is None or last.role != "user":
        return None
    return plan_answer(session, cipher, user_id, conversation, config)


def finish_turn(
    session: Session, cipher: MultiFernet, plan: TurnPlan, answer: Answer
) -> MessageView:
    """Store the answer (and its LLM usage) after the question it answers."""
    conversation = get_conversation(session, plan.user_id, plan.conversation_id)
    message = add_message(
        session,
        cipher,
        conversation,
        "assistant",
        answer.text,
        topic=answer.topic,
        engine=answer.engine,
        note=answer.note,
        error_code=answer.error_code,
        input_tokens=answer.input_tokens,
        output_tokens=answer.output_tokens,
        suggestions=answer.suggestions,
    )
    if answer.usage is not None:
        record_usage(session, [answer.usage], user_id=plan.user_id, reading_id=plan.reading_id)
    return message_view(cipher, message)


def ask(
    session: Session,
    cipher: MultiFernet,
    user_id: int,
    conversation_id: int,
    text: str,
    *,
    config: MemoryConfig,
    llm: ChatLLM | None = None,
    limiter: Limiter | None = None,
) -> MessageView:
    """A whole turn without a UI (tests, bench, scripts); the caller commits."""
    plan = start_turn(
        session, cipher, user_id, conversation_id, text, config=config, limiter=limiter
    )
    return finish_turn(session, cipher, plan, AnswerStream(plan, llm).run())
