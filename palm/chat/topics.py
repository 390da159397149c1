"""What a chat message is about: topics, which hand, and the kind of question.

Deterministic keyword rules over a closed vocabulary, resolved against the thread: a message
with no topic of its own ("and the left hand?", "tell me more") inherits the last topic.
Both readers use this; the topic is stored on each answer (never user text). Each English rule
is joined to its Spanish and French words (palm.chat.words): a question is understood in any
language the offline reader speaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from palm.chat import words
from palm.llm import forbidden_words

LINE_TOPICS = ("heart_line", "head_line", "life_line", "fate_line", "sun_line", "mercury_line")
TYPE_TOPICS = ("life", "love", "career", "health", "head")
OTHER_TOPICS = ("shape", "compare", "overview")

#: (topic, pattern), most specific first; a message may name several topics.
TOPIC_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "compare",
        r"compar\w*|changed?|chang\w+ since|differen\w*|differ|both hands|my hands|"
        r"(earlier|previous|last|older|other) reading|last time|since (then|last)",
    ),
    ("heart_line", r"heart ?lines?|\bheart\b"),
    ("head_line", r"head ?lines?|\bhead\b"),
    ("life_line", r"life ?lines?"),
    ("fate_line", r"fate ?lines?|\bfate\b|destiny"),
    ("sun_line", r"sun ?lines?|apollo|fame|recognition"),
    ("mercury_line", r"mercury|communicat\w*"),
    ("life", r"life ?path|\blife\b|journey|future|direction"),
    (
        "love",
        r"\blove\b|relationship\w*|romance|romantic|partner|marri\w+|dating|soul ?mate|"
        r"emotion\w*|feelings|affection",
    ),
    (
        "career",
        r"career|\bjobs?\b|\bwork\w*|profession\w*|money|success|business|calling|"
        r"purpose|vocation|\brich\b|wealth\w*|fortune",
    ),
    ("health", r"health|energy|balance|well-?being|vitality|stress|rest\b"),
    ("head", r"\bmind\b|thinking|\bthink\b|intellect|focus|decisions?|reasoning"),
    ("shape", r"shape|element|hand type|fingers?|square palm|(fire|earth|air|water) hand"),
    ("overview", r"overall|sum (it )?up|summary|whole reading|everything|what does my palm say"),
)


def _rule(english: str, other_languages: str) -> re.Pattern[str]:
    return re.compile(f"{english}|{other_languages}", re.IGNORECASE)


COMPILED = tuple((topic, _rule(pattern, words.TOPICS[topic])) for topic, pattern in TOPIC_PATTERNS)

MEDICAL = _rule(
    r"how long (will|do|shall|am) i (live|going to live)|when (will|do|shall) i (die|pass)|"
    r"how many years|(will|am) i (get |going to be )?(sick|ill)\b|pregnan\w*|my death|"
    r"what age will i|doctor|medical|cure|heal\b",
    words.MEDICAL,
)
INJECTION = _rule(
    r"ignore (\w+ ){0,3}(instructions|rules)|system prompt|developer message|"
    r"(show|give|tell|reveal|print|list|dump|read|repeat)\b[^.?!]{0,40}\b(your instructions|"
    r"other (users?|people)|someone else|another (user|person|account)|everyone|api key|"
    r"passwords?|database)",
    words.INJECTION,
)
RECALL_ANSWER = re.compile(
    r"\b(earlier|before|previously|already|again|you said|did you say|you told me|"
    r"you mentioned|remind me)\b",
    re.IGNORECASE,
)
RECALL_SELF = re.compile(
    r"\b(my name|who am i|what do you know about me|what did i (say|tell|mention)|"
    r"do you remember|remember (what|that|when|my)|what i told)\b",
    re.IGNORECASE,
)
RECALL_QUESTION = re.compile(
    r"\b(first|last|previous|earlier|my) question\b|what did i (first )?ask\b|"
    r"what was i asking",
    re.IGNORECASE,
)
QUESTION_START = _rule(
    r"^\s*(what|who|do|did|can|could|remind|tell|which|how|when|where|why)\b",
    words.QUESTION_START,
)
SELF_DISCLOSURE = re.compile(
    r"\b(i am|i'm|i was|i work|i have|i've|i live|i like|i love|i want|i feel|i study|i hope|"
    r"my name|call me|my \w+ (is|are|was)|we are|we're)\b",
    re.IGNORECASE,
)
GREETING = _rule(r"^\s*(hi|hello|hey|good (morning|afternoon|evening))\b", words.GREETING)
THANKS = _rule(r"\b(thanks|thank you|cheers)\b", words.THANKS)
HELP = _rule(r"\b(help|what can (you|i) (do|ask)|how does this work)\b", words.HELP)
FOLLOW_UP = _rule(
    r"^\s*(and|what about|how about|also|tell me more|more|why|go on|what else|and what)\b",
    words.FOLLOW_UP,
)
HAND = re.compile(r"\b(left|right|other)\s+(hand|palm)\b|\b(left|right)\b", re.IGNORECASE)
OTHER_HAND = re.compile(words.HAND, re.IGNORECASE)


@dataclass(frozen=True)
class Intent:
    """The kind of question, its topics (resolved), and the hand it points at, if any."""

    kind: str
    topics: list[str] = field(default_factory=list)
    hand: str | None = None
    follow_up: bool = False

    @property
    def topic(self) -> str | None:
        return self.topics[0] if self.topics else None


def topic_pattern(topic: str) -> re.Pattern[str] | None:
    """The words that name a topic (to find it in earlier answers)."""
    return next((pattern for name, pattern in COMPILED if name == topic), None)


def topics_in(text: str) -> list[str]:
    """Topics named in the text, in the order they appear, without duplicates."""
    found: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []
    for topic, pattern in COMPILED:
        for match in pattern.finditer(text):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in covered):
                continue
            covered.append(span)
            found.append((span[0], topic))
    ordered: list[str] = []
    for _, topic in sorted(found):
        if topic not in ordered:
            ordered.append(topic)
    specific = [topic for topic in ordered if topic != "overview"]
    return specific or ordered


def hand_in(text: str) -> str | None:
    """ "left", "right" or "other" when the message names a hand (in any language)."""
    match = HAND.search(text)
    if match is not None:
        return (match.group(1) or match.group(3) or "").lower() or None
    named = OTHER_HAND.search(text)
    if named is None:
        return None
    return words.HAND_WORDS[(named.group(1) or named.group(3)).lower()]


def parse(text: str, last_topic: str | None) -> Intent:
    """Classify a message; follow-ups without a topic of their own take ``last_topic``."""
    if forbidden_words(text) or MEDICAL.search(text):
        return Intent("medical")
    if INJECTION.search(text):
        return Intent("injection")
    topics = topics_in(text)
    hand = hand_in(text)
    follow_up = bool(FOLLOW_UP.search(text)) or (hand is not None and not topics)
    recall = bool(RECALL_ANSWER.search(text))
    asking = "?" in text or bool(QUESTION_START.search(text))
    if RECALL_QUESTION.search(text):
        return Intent("recall_question")
    if RECALL_SELF.search(text) and not recall and asking:
        return Intent("recall_self")
    introduces = re.search(r"\b(my name is|call me|i'm called)\b", text, re.IGNORECASE)
    if not asking and (introduces or (not topics and SELF_DISCLOSURE.search(text))):
        return Intent("told")
    if not topics and (follow_up or recall or hand) and last_topic:
        topics = [last_topic]
    if recall and topics and topics[0] != "compare":
        return Intent("recall_answer", topics, hand, follow_up)
    if topics:
        return Intent("topic", topics, hand, follow_up)
    if hand is not None:
        return Intent("topic", ["overview"], hand, follow_up)
    for kind, pattern in (("greeting", GREETING), ("thanks", THANKS), ("help", HELP)):
        if pattern.search(text):
            return Intent(kind)
    return Intent("unknown", follow_up=follow_up)
