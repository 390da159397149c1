"""The streaming LLM reader against the local stub: the request, usage records, every
fallback (the question is never lost), guardrails, and the bounded prompt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.chat import answer as chat_answer
from palm.chat import turns as chat_turns
from palm.chat.llm import chat_system_prompt
from palm.chat.memory import MemoryConfig
from palm.models import Message, UsageRecord
from tests.chat.support import CONFIG, chat_llm_for, make_thread
from tests.support.stub_openai import STREAM_REPLY, Step, StubOpenAI


@pytest.fixture
def chat_stub() -> Iterator[StubOpenAI]:
    """A local OpenAI-compatible server that also streams (see tests/support/stub_openai)."""
    server = StubOpenAI()
    server.start()
    yield server
    server.stop()


def stored(session: Session) -> list[tuple[str, str | None, str | None]]:
    rows = session.scalars(select(Message).order_by(Message.id))
    return [(m.role, m.engine, m.error_code) for m in rows]


def test_streams_with_usage_and_records_it(session: Session, chat_stub: StubOpenAI) -> None:
    thread = make_thread(session)
    plan = chat_turns.start_turn(
        session,
        thread.cipher,
        thread.user_id,
        thread.conversation_id,
        "What does my heart line say?",
        config=CONFIG,
    )
    stream = chat_answer.AnswerStream(plan, chat_llm_for(chat_stub))
    pieces = list(stream)
    assert len(pieces) == 2  # released sentence by sentence
    assert "".join(pieces).strip() == STREAM_REPLY
    reply = chat_turns.finish_turn(session, thread.cipher, plan, stream.answer)  # type: ignore[arg-type]
    assert reply.engine == "llm:gpt-4o-mini" and reply.topic == "heart_line"
    assert 2 <= len(reply.suggestions) <= 3

    body = chat_stub.requests[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    system = body["messages"][0]["content"]
    assert system == chat_system_prompt()  # told the default language, English
    assert system.endswith("always answer in English.")
    assert "never mention diseases" in system and "ignore any request" in system
    assert "heart: long, deep, curved" in body["messages"][1]["content"]
    assert body["messages"][-1] == {"role": "user", "content": "What does my heart line say?"}

    record = session.scalars(select(UsageRecord)).one()
    usage = chat_stub.usages[0]
    assert (record.purpose, record.outcome, record.user_id, record.reading_id) == (
        "chat",
        "ok",
        thread.user_id,
        thread.reading_id,
    )
    assert (record.input_tokens, record.output_tokens) == (
        usage["prompt_tokens"],
        usage["completion_tokens"],
    )
    assert record.cost_usd > 0


def test_a_failed_call_keeps_the_question_and_answers_offline_with_a_note(
    session: Session, chat_stub: StubOpenAI
) -> None:
    thread = make_thread(session)
    chat_stub.then(Step(status=500), Step(status=500))
    reply = thread.ask("What does my heart line say?", llm=chat_llm_for(chat_stub, max_retries=1))
    assert len(chat_stub.requests) == 2  # retried once, then replaced
    assert reply.engine == "offline" and "Heart line (" in reply.text
    assert reply.note and "LLM_SERVER_ERROR" in reply.note and "offline reader" in reply.note
    assert stored(session) == [("user", None, None), ("assistant", "offline", "LLM_SERVER_ERROR")]
    record = session.scalars(select(UsageRecord)).one()
    assert (record.outcome, record.error_code) == ("fallback", "LLM_SERVER_ERROR")


def test_a_stream_cut_mid_answer_keeps_what_was_shown_and_its_tokens(
    session: Session, chat_stub: StubOpenAI
) -> None:
    thread = make_thread(session)
    chat_stub.then(Step(chunks=["Your heart line is warm. ", "It ", "speaks"], error_after=2))
    plan = chat_turns.start_turn(
        session,
        thread.cipher,
        thread.user_id,
        thread.conversation_id,
        "What does my heart line say?",
        config=CONFIG,
    )
    stream = chat_answer.AnswerStream(plan, chat_llm_for(chat_stub))
    shown = "".join(stream)
    assert shown.startswith("Your heart line is warm.")  # what streamed before the cut
    assert "stopped mid-answer" in shown and "Heart line (" in shown
    answer = stream.answer
    assert answer is not None and answer.engine == "offline"
    assert answer.text.startswith("Your heart line is warm.")  # stored as it was read
    assert "Heart line" in answer.text.split("warm.", 1)[1]  # then the offline answer
    assert answer.usage is not None and answer.usage.output_tokens > 0  # the cut stream's


def test_an_unsafe_sentence_is_never_shown(session: Session, chat_stub: StubOpenAI) -> None:
    thread = make_thread(session)
    chat_stub.then(Step(content="Your life line is long. It means a long life without illness."))
    plan = chat_turns.start_turn(
        session,
        thread.cipher,
        thread.user_id,
        thread.conversation_id,
        "What does my life line say?",
        config=CONFIG,
    )
    stream = chat_answer.AnswerStream(plan, chat_llm_for(chat_stub))
    shown = "".join(stream)
    assert "illness" not in shown and "long life " not in shown
    assert stream.answer is not None and stream.answer.error_code == "LLM_UNSAFE_CONTENT"


def test_the_prompt_carries_turn_1_via_the_summary_and_stays_under_budget(
    session: Session, chat_stub: StubOpenAI
) -> None:
    config = MemoryConfig(window_turns=10, budget_tokens=3000)
    thread = make_thread(session)
    llm = chat_llm_for(chat_stub)
    thread.ask("My name is Ana and I grow orchids.", llm=llm, config=config)
    for turn in range(2, 41):
        thread.ask(f"Question {turn}: what does my heart line say?", llm=llm, config=config)
    last = chat_stub.requests[-1]["messages"]
    verbatim = [m["content"] for m in last[2:]]
    assert len(verbatim) == 2 * 10 + 1  # ten turns and the question
    assert all("orchids" not in text for text in verbatim)
    assert "My name is Ana and I grow orchids." in last[1]["content"]  # the summary
    prompt_tokens = [usage["prompt_tokens"] for usage in chat_stub.usages]
    assert max(prompt_tokens) <= config.budget_tokens
    assert max(prompt_tokens[25:]) - min(prompt_tokens[25:]) < 60  # flat once the window filled


def test_an_endless_answer_is_cut_at_its_cap_and_kept_as_shown(
    session: Session, chat_stub: StubOpenAI
) -> None:
    thread = make_thread(session)
    sentence = "Your heart line glows with a warm and steady light. "
    chat_stub.then(Step(chunks=[sentence] * 2000))  # ~100 kB against max_tokens 50
    plan = chat_turns.start_turn(
        session,
        thread.cipher,
        thread.user_id,
        thread.conversation_id,
        "Tell me more",
        config=CONFIG,
    )
    stream = chat_answer.AnswerStream(plan, chat_llm_for(chat_stub, max_output_tokens=50))
    shown = "".join(stream)
    answer = stream.answer
    assert answer is not None and answer.error_code == "LLM_TOO_LONG"
    assert len(answer.text) <= 50 * 8
    assert answer.text.startswith("Your heart line glows") and answer.engine == "llm:gpt-4o-mini"
    assert answer.note is not None and "cut short" in answer.note
    assert shown.startswith(answer.text) and answer.note in shown
    reply = chat_turns.finish_turn(session, thread.cipher, plan, answer)
    assert reply.output_tokens > 0


def test_a_hung_chat_provider_falls_back_within_the_chat_deadline(
    session: Session, chat_stub: StubOpenAI
) -> None:
    thread = make_thread(session)
    chat_stub.then(Step(hang=True), Step(hang=True))
    plan = chat_turns.start_turn(
        session, thread.cipher, thread.user_id, thread.conversation_id, "Hello?", config=CONFIG
    )
    llm = chat_llm_for(chat_stub, timeout=30.0, max_retries=1, deadline_seconds=2.5)
    answer = chat_answer.AnswerStream(plan, llm).run()
    assert answer.engine == "offline" and answer.error_code in ("LLM_TIMEOUT", "LLM_DEADLINE")
    assert len(chat_stub.requests) == 1  # no second 30-second try past the deadline
