"""Starter templates and the 2–3 follow-up suggestions shown after each answer.

Suggestions come from the reading (lines it found, the other hand when there is a reading of
it) and the last answer's topic (related topics first, then what the thread has not covered),
so they are deterministic for both readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from palm.chat.phrases import ChatPhrases, chat_phrases

if TYPE_CHECKING:
    from palm.chat.memory import ChatContext


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    prompt: str


TEMPLATES: tuple[Template, ...] = (
    Template("life", "Life path", "What does my life line say about my life path?"),
    Template("love", "Relationships", "What do my lines say about love and relationships?"),
    Template("career", "Career", "What does my palm say about my career?"),
    Template("health", "Health & balance", "What does my palm say about my energy and balance?"),
    Template("hands", "Compare my hands", "Compare my left and right hands."),
    Template("shape", "Hand shape", "What does my hand shape say about me?"),
    Template("since", "Since last time", "What changed since my earlier reading?"),
)

RELATED: dict[str, tuple[str, ...]] = {
    "heart_line": ("love", "head_line"),
    "head_line": ("head", "heart_line"),
    "life_line": ("life", "health"),
    "fate_line": ("career", "sun_line"),
    "sun_line": ("career", "fate_line"),
    "mercury_line": ("health", "head_line"),
    "life": ("life_line", "career"),
    "love": ("heart_line", "career"),
    "career": ("fate_line", "sun_line"),
    "health": ("life_line", "mercury_line"),
    "head": ("head_line", "career"),
    "shape": ("overview", "love"),
    "compare": ("overview", "shape"),
    "overview": ("love", "career"),
}
DEFAULT_ORDER = ("love", "career", "life", "head", "shape", "health", "heart_line")
MAX_SUGGESTIONS = 3


def suggestions(
    context: ChatContext, topic: str | None, words: ChatPhrases | None = None
) -> list[str]:
    """Up to three follow-ups in the person's language: the other hand, related topics, then
    topics not yet covered."""
    words = words or chat_phrases(context.language)
    ask = words.ask
    reading = context.reading
    if reading is None:
        return [words.how_it_works, ask["heart_line"], ask["career"]]
    discussed = {m.topic for m in context.window if m.topic} | set(context.summary.topics)
    candidates = [*RELATED.get(topic or "", ()), *DEFAULT_ORDER]
    missing = {f"{n}_line" for n, fact in reading.lines.items() if not fact.found}
    picked: list[str] = []
    other = _other_hand(context)
    if other and topic and topic != "compare":
        picked.append(words.other_hand.format(hand=words.hands[other]))
    for candidate in candidates:
        if candidate in (topic, *missing) or candidate in discussed:
            continue
        if ask[candidate] not in picked:
            picked.append(ask[candidate])
    if len(picked) < 2:
        picked += [ask[c] for c in DEFAULT_ORDER if c != topic and ask[c] not in picked]
    asked = context.question.strip().lower()
    return [text for text in picked if text.lower() != asked][:MAX_SUGGESTIONS]


def _other_hand(context: ChatContext) -> str | None:
    reading = context.reading
    if reading is None or reading.hand not in ("left", "right"):
        return None
    other = "left" if reading.hand == "right" else "right"
    return other if any(o.hand == other for o in context.others) else None
