"""Chat follows the person's language preference: the LLM's system prompt is told it, and the
offline reader's fixed sentences (greetings, refusals, "no reading yet", suggestions) come in
Spanish and French; a translated suggestion sent back is understood."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from palm.accounts import ReadingPreferences, save_preferences
from palm.chat import answer as chat_answer
from palm.chat import threads as chat_threads
from palm.chat import turns as chat_turns
from palm.chat.phrases import chat_phrases, load_chat_phrasebook
from palm.llm import forbidden_words
from palm.vocabulary import Language
from tests.chat.support import CONFIG, account, chat_llm_for, cipher, make_thread
from tests.support.stub_openai import StubOpenAI


def speaks(session: Session, user_id: int, language: Language) -> None:
    save_preferences(session, user_id, ReadingPreferences(language=language))


@pytest.fixture
def chat_stub() -> Iterator[StubOpenAI]:
    server = StubOpenAI()
    server.start()
    yield server
    server.stop()


def test_the_llm_is_told_the_persons_language(session: Session, chat_stub: StubOpenAI) -> None:
    thread = make_thread(session)
    speaks(session, thread.user_id, Language.FRENCH)
    plan = chat_turns.start_turn(
        session, thread.cipher, thread.user_id, thread.conversation_id, "Bonjour", config=CONFIG
    )
    chat_answer.AnswerStream(plan, chat_llm_for(chat_stub)).run()
    system = chat_stub.requests[0]["messages"][0]["content"]
    assert system.endswith("The person's language is French: always answer in French.")
    assert "never mention diseases" in system  # the guardrails stay


@pytest.mark.parametrize("language", [Language.SPANISH, Language.FRENCH])
def test_offline_greetings_refusals_and_suggestions_come_in_the_language(
    session: Session, language: Language
) -> None:
    thread = make_thread(session)
    speaks(session, thread.user_id, language)
    words = chat_phrases(language)
    hello = thread.ask("hello")
    assert hello.text == f"{words.greeting} {words.help}"
    assert thread.ask("Will I get ill? Ask a doctor?").text == words.medical
    assert thread.ask("What is the capital of Peru?").text == f"{words.cannot} {words.help}"
    heart = thread.ask(words.ask["heart_line"])  # a suggestion sent back is understood
    assert heart.topic == "heart_line"
    assert heart.suggestions and set(heart.suggestions) <= {
        *words.ask.values(),
        *(words.other_hand.format(hand=name) for name in words.hands.values()),
    }


def test_no_reading_yet_is_said_in_spanish(session: Session) -> None:
    key = cipher()
    user_id = account(session, "sol@example.com")
    speaks(session, user_id, Language.SPANISH)
    thread = chat_threads.create_conversation(session, key, user_id)
    reply = chat_turns.ask(
        session, key, user_id, thread.id, "What does my heart line say?", config=CONFIG
    )
    words = chat_phrases(Language.SPANISH)
    assert reply.text == words.no_reading.format(general=words.general["heart"])
    assert reply.suggestions == [words.how_it_works, words.ask["heart_line"], words.ask["career"]]


def test_every_language_has_every_phrase_and_none_trips_the_guardrails() -> None:
    book = load_chat_phrasebook()
    assert set(book.languages) == set(Language)
    english = book.languages[Language.ENGLISH]
    for phrases in book.languages.values():
        assert phrases.ask.keys() == english.ask.keys()
        assert phrases.general.keys() == english.general.keys()
        texts = [phrases.help, phrases.greeting, phrases.thanks, phrases.cannot]
        texts += [phrases.injection, phrases.no_reading, *phrases.ask.values()]
        texts += list(phrases.general.values())
        assert [t for t in texts if forbidden_words(t)] == []
