"""Turns: the per-user rate limit (real Redis), the question saved first, and a question
left unanswered answered later."""

from __future__ import annotations

import pytest
from limits.storage import RedisStorage
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.chat import answer as chat_answer
from palm.chat import turns as chat_turns
from palm.chat.turns import ChatRateLimitedError
from palm.errors import PalmError
from palm.infra.ratelimit import RateLimiter
from palm.models import Message
from tests.chat.support import CONFIG, make_thread


def test_rate_limit_per_user_with_a_clear_message(session: Session, redis_url: str) -> None:
    ana = make_thread(session, "ana@example.com")
    eve = make_thread(session, "eve@example.com")
    limiter = RateLimiter(RedisStorage(redis_url), 3, "chat")
    for _ in range(3):
        ana.ask("What does my heart line say?", limiter=limiter)
    with pytest.raises(ChatRateLimitedError) as refused:
        chat_turns.start_turn(
            session,
            ana.cipher,
            ana.user_id,
            ana.conversation_id,
            "One more?",
            config=CONFIG,
            limiter=limiter,
            per_minute=3,
        )
    assert "at most 3 a minute" in refused.value.message
    assert "your text was not sent" in refused.value.message
    texts = [m.role for m in session.scalars(select(Message).where(Message.user_id == ana.user_id))]
    assert len(texts) == 6  # the refused message was not stored half-way
    eve.ask("Eve is not limited by Ana's messages", limiter=limiter)


def test_the_question_is_committed_before_the_answer_and_can_be_answered_later(
    session: Session,
) -> None:
    thread = make_thread(session)
    chat_turns.start_turn(
        session,
        thread.cipher,
        thread.user_id,
        thread.conversation_id,
        "What does my heart line say?",
        config=CONFIG,
    )
    # the answer never came (the process died, the network failed…): the question is there
    roles = session.scalars(select(Message.role).order_by(Message.id)).all()
    assert roles == ["user"]
    plan = chat_turns.plan_pending(
        session, thread.cipher, thread.user_id, thread.conversation_id, CONFIG
    )
    assert plan is not None and plan.context.question == "What does my heart line say?"
    chat_turns.finish_turn(session, thread.cipher, plan, chat_answer.AnswerStream(plan, None).run())
    assert (
        chat_turns.plan_pending(
            session, thread.cipher, thread.user_id, thread.conversation_id, CONFIG
        )
        is None
    )


def test_empty_and_overlong_messages_are_refused_before_saving(session: Session) -> None:
    thread = make_thread(session)
    for text, code in (("   ", "EMPTY_MESSAGE"), ("x" * 2001, "MESSAGE_TOO_LONG")):
        with pytest.raises(PalmError, match=code):
            thread.ask(text)
    assert session.scalars(select(Message.id)).all() == []
