"""The offline chat reader's fixed sentences in every language it speaks (``phrasebook.json``):
greetings, thanks, help, refusals, "no reading yet", the general line lore and the follow-up
suggestions. Answers about a reading quote the reading's own texts, which the offline reader
already wrote in the person's language. Bump "version" whenever a text changes.

A suggestion is sent back as the next question, so `english_question` turns a translated one
into the English question the intent parser understands.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel

from palm.vocabulary import Language


class ChatPhrases(BaseModel):
    medical: str
    injection: str
    help: str
    greeting: str
    thanks: str
    cannot: str
    no_reading: str
    general: dict[str, str]
    how_it_works: str
    other_hand: str
    hands: dict[str, str]
    ask: dict[str, str]


class ChatPhrasebook(BaseModel):
    version: str
    languages: dict[Language, ChatPhrases]


@lru_cache(maxsize=1)
def load_chat_phrasebook() -> ChatPhrasebook:
    raw = resources.files("palm.chat").joinpath("phrasebook.json").read_text("utf-8")
    return ChatPhrasebook.model_validate(json.loads(raw))


def chat_phrases(language: Language = Language.ENGLISH) -> ChatPhrases:
    return load_chat_phrasebook().languages[language]


@lru_cache(maxsize=1)
def _to_english() -> dict[str, str]:
    english = chat_phrases()
    found: dict[str, str] = {}
    for language, phrases in load_chat_phrasebook().languages.items():
        if language == Language.ENGLISH:
            continue
        found[_key(phrases.how_it_works)] = english.how_it_works
        for topic, question in phrases.ask.items():
            found[_key(question)] = english.ask[topic]
        for hand, name in phrases.hands.items():
            found[_key(phrases.other_hand.format(hand=name))] = english.other_hand.format(
                hand=english.hands[hand]
            )
    return found


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def english_question(question: str) -> str:
    """A translated suggestion as its English question; any other text as it is."""
    return _to_english().get(_key(question), question)
