"""The offline reader's words in every language it speaks (``phrasebook.json``).

English readings come from the full palmistry table; Spanish and French from the compact
phrasings here (one sentence per band, the same for every analysis type). Every language
also has the matter-of-fact band words, the playful asides and the two hands' roles. Bump
"version" whenever a text changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel

from palm.vocabulary import Language

Phrases = list[str]


class LanguagePhrases(BaseModel):
    labels: dict[str, str]
    titles: dict[str, str]
    bands: dict[str, dict[str, str]]
    fact_line: str
    fact_overall: str
    element_names: dict[str, str]
    warm: dict[str, dict[str, Phrases]]
    elements: dict[str, Phrases]
    closing: Phrases
    missing: Phrases
    nothing_found: Phrases
    playful_open: Phrases
    playful_close: Phrases
    hand_role: dict[str, str]
    summary: str
    no_lines: str
    hands: dict[str, str]
    line_names: dict[str, str]


class Phrasebook(BaseModel):
    version: str
    languages: dict[Language, LanguagePhrases]


@lru_cache(maxsize=1)
def load_phrasebook() -> Phrasebook:
    raw = resources.files("palm.readers").joinpath("phrasebook.json").read_text("utf-8")
    return Phrasebook.model_validate(json.loads(raw))


def phrases_for(language: Language) -> LanguagePhrases:
    return load_phrasebook().languages[language]


def one_line_summary(
    language: Language, hand: str | None, shape: str | None, found: Sequence[str]
) -> str:
    """A finished reading in one line ("Left hand, fire shape; lines: heart, life."), in the
    person's language, whatever language the reading itself was written in."""
    words = phrases_for(language)
    lines = ", ".join(words.line_names.get(line, line) for line in found) or words.no_lines
    return words.summary.format(
        hand=words.hands.get(hand or "", hand or "?"),
        shape=words.element_names.get(shape or "", shape or "?").lower(),
        lines=lines,
    )
