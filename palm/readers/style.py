"""How a person wants to be read to: tone, length, language, and which hand is dominant.

Both readers follow a ReaderStyle; the LLM reply cache keys on ``cache_part`` so a changed
preference never serves a reply written for another one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from palm.vocabulary import Hand, Language, ReadingLength, Tone

HandRole = Literal["present", "potential"]


@dataclass(frozen=True)
class ReaderStyle:
    tone: Tone = Tone.WARM
    length: ReadingLength = ReadingLength.FULL
    language: Language = Language.ENGLISH
    dominant_hand: Hand | None = None

    @property
    def short(self) -> bool:
        return self.length == ReadingLength.SHORT

    def hand_role(self, hand: str) -> HandRole | None:
        """Palmistry's reading of the two hands: the dominant one shows the present (what
        the person made of themselves), the other one potential (what they were given)."""
        if self.dominant_hand is None or hand not in ("left", "right"):
            return None
        return "present" if hand == self.dominant_hand else "potential"

    def cache_part(self) -> dict[str, str]:
        """What of the style changes an LLM reply (a part of its cache key)."""
        return {
            "tone": self.tone.value,
            "length": self.length.value,
            "language": self.language.value,
            "dominant_hand": self.dominant_hand or "",
        }
