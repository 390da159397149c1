"""Words no reading may contain: medical claims and lifespan talk.

Shared by the offline table's tests and the LLM reader, which rejects (and falls back from) a
reply that uses any of them. Word-bounded and case-insensitive, so "will" does not match "ill";
"a long life line" speaks of the line and passes, "a long life" does not.
"""

from __future__ import annotations

import re

FORBIDDEN_TERMS: tuple[str, ...] = (
    "disease",
    "diseases",
    "illness",
    "illnesses",
    "ill",
    "sick",
    "sickness",
    "cancer",
    "tumou?r",
    "heart attack",
    "stroke",
    "diabetes",
    "die",
    "dies",
    "died",
    "dying",
    "death",
    "dead",
    "lifespan",
    "life span",
    "life expectancy",
    "years to live",
    "long life(?! line)",
    "short life(?! line)",
    "live long",
    "early grave",
    "diagnos[ie]s",
    "diagnose",
    "diagnosed",
    "symptoms?",
    "medication",
    "surgery",
    "terminal",
    "fatal",
    "mortality",
    # the languages readings are written in besides English (palm.vocabulary.Language)
    "enfermedad(?:es)?",
    "muerte",
    "morir(?:á|ás)?",
    "diagn[oó]stico",
    "esperanza de vida",
    "tumor(?:es)?",
    "maladies?",
    "mort",
    "mourir",
    "mourra",
    "diagnostic",
    "espérance de vie",
)

FORBIDDEN_PATTERN = re.compile(r"\b(?:" + "|".join(FORBIDDEN_TERMS) + r")\b", re.IGNORECASE)


def forbidden_words(text: str) -> list[str]:
    """The forbidden terms found in ``text`` (empty when it is safe to show)."""
    return [match.group(0) for match in FORBIDDEN_PATTERN.finditer(text)]
