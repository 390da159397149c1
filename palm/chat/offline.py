"""The offline chat reader: deterministic answers from the reading's facts and the palmistry
table, the thread's memory for follow-ups, and plain words when it cannot answer.

No network, no cost. The same context always gives the same answer. Answers are plain text
(no Markdown): they quote reading texts and the person's own words, and the page shows every
message as exactly the text it is. Every answer passes the
guardrails: a sentence with a medical or lifespan term is dropped, whoever wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from palm.chat.facts import ReadingFacts
from palm.chat.memory import ChatContext, sentences
from palm.chat.phrases import ChatPhrases, chat_phrases, english_question
from palm.chat.recall import recall_answer, recall_question, recall_self
from palm.chat.suggest import suggestions
from palm.chat.topics import LINE_TOPICS, Intent, parse
from palm.llm import forbidden_words
from palm.readers import load_table, pick
from palm.vocabulary import LINE_NAMES, AnalysisType

ENGINE = "offline"
LINE_TYPE = {
    "heart": "love",
    "head": "head",
    "life": "life",
    "fate": "career",
    "sun": "career",
    "mercury": "health",
}
TOPIC_LABEL = {
    "heart_line": "heart line",
    "head_line": "head line",
    "life_line": "life line",
    "fate_line": "fate line",
    "sun_line": "sun line",
    "mercury_line": "mercury line",
    "life": "life path",
    "love": "love and relationships",
    "career": "career",
    "health": "energy and balance",
    "head": "mind and thinking",
    "shape": "hand shape",
    "compare": "comparison",
    "overview": "reading as a whole",
}
SHAPES = {
    "fire": "a longer palm with shorter fingers: energetic, spontaneous, quick to act",
    "earth": "a square palm with shorter fingers: practical, steady, dependable",
    "air": "a square palm with longer fingers: curious, talkative, an ideas person",
    "water": "a longer palm with longer fingers: intuitive, sensitive, imaginative",
}
ENGLISH = chat_phrases()
MEDICAL = ENGLISH.medical
HELP = ENGLISH.help
GENERAL = ENGLISH.general


@dataclass(frozen=True)
class ReaderAnswer:
    """One answer: the text, its topic (stored on the message) and follow-up suggestions."""

    text: str
    topic: str | None
    suggestions: list[str]
    engine: str = ENGINE


def answer(context: ChatContext) -> ReaderAnswer:
    """The offline answer to the newest message of the context, in the person's language."""
    words = chat_phrases(context.language)
    intent = parse(english_question(context.question), context.last_topic)
    text = safe(_compose(context, intent, words), words)
    topic = intent.topic if intent.kind in ("topic", "recall_answer") else None
    return ReaderAnswer(text, topic, suggestions(context, topic, words))


def safe(text: str, words: ChatPhrases = ENGLISH) -> str:
    """Drop any sentence the guardrails refuse (a quoted message may carry one)."""
    if not forbidden_words(text):
        return text
    kept = [sentence for sentence in sentences(text) if not forbidden_words(sentence)]
    return " ".join(kept) if kept else words.medical


def _compose(context: ChatContext, intent: Intent, words: ChatPhrases) -> str:
    simple = {
        "medical": words.medical,
        "injection": words.injection,
        "help": words.help,
        "greeting": f"{words.greeting} {words.help}",
        "thanks": words.thanks,
    }
    if intent.kind in simple:
        return simple[intent.kind]
    if intent.kind == "recall_self":
        return recall_self(context)
    if intent.kind == "told":
        return acknowledge(context.question)
    if intent.kind == "recall_answer":
        topic = intent.topic or "overview"
        label = TOPIC_LABEL.get(topic, topic)
        earlier = recall_answer(context, topic, label)
        if earlier:
            return earlier
        fresh = topic_answer(context, topic, intent.hand)
        return f"We haven't talked about your {label} yet in this conversation. {fresh}"
    if intent.kind == "recall_question":
        return recall_question(context)
    if intent.kind == "topic":
        return " ".join(topic_answer(context, t, intent.hand) for t in intent.topics[:2])
    return f"{words.cannot} {words.help}"


def acknowledge(statement: str) -> str:
    """A person told something about themselves: thank them; the summary will keep it."""
    name = re.search(r"(?i:my name is|call me|i'm called)\s+([A-Z][\w'-]+)", statement)
    hello = f"Nice to meet you, {name.group(1)}! " if name else "Thank you for telling me. "
    return hello + "I'll keep it in mind while we talk about your palm. " + HELP


def target_reading(context: ChatContext, hand: str | None) -> tuple[ReadingFacts | None, str]:
    """The reading a question points at (its hand, or the other hand) and a lead-in."""
    current = context.reading
    if hand is None or current is None:
        return current, ""
    wanted = hand
    if hand == "other":
        wanted = "left" if current.hand == "right" else "right"
    if current.hand == wanted:
        return current, f"On your {wanted} hand: "
    for other in context.others:
        if other.hand == wanted:
            return other, f"On your {wanted} hand (reading {other.label}): "
    return None, (
        f"I don't have a finished reading of your {wanted} hand yet. Upload a photo of it on "
        "the Analyze page and ask me again."
    )


def topic_answer(context: ChatContext, topic: str, hand: str | None) -> str:
    if topic == "compare":
        return compare(context, hand)
    facts, lead = target_reading(context, hand)
    if facts is None:
        if lead:
            return lead
        return no_reading(context, topic.removesuffix("_line") if topic in LINE_TOPICS else "heart")
    if topic in LINE_TOPICS:
        return lead + line_answer(facts, topic.removesuffix("_line"))
    if topic == "shape":
        return lead + shape_answer(facts)
    if topic == "overview":
        return lead + overview(facts)
    text = facts.texts[topic]
    parts = [f"{text.title}. {text.text}"]
    parts += [f"{name.title()} line: {value}" for name, value in text.per_line.items()]
    return lead + " ".join(parts)


def no_reading(context: ChatContext, line: str) -> str:
    words = chat_phrases(context.language)
    return words.no_reading.format(general=words.general.get(line, words.general["heart"]))


def line_answer(facts: ReadingFacts, name: str) -> str:
    line = facts.line(name)
    text = facts.texts[LINE_TYPE[name]].per_line.get(name, "")
    if line is None or not line.found:
        return f"{name.title()} line: {text}".strip()
    return f"{name.title()} line ({line.describe()}): {text}"


def shape_answer(facts: ReadingFacts) -> str:
    shape = facts.shape or ""
    if shape not in SHAPES:
        return "Your hand shape could not be classed from this photo."
    table = load_table()
    flavour = pick(table.types[AnalysisType.LIFE].elements[shape], facts.seed, "chat", "shape")
    return f"Your hand reads as a {shape} hand — {SHAPES[shape]}. {flavour}"


def overview(facts: ReadingFacts) -> str:
    firsts = [sentences(t.text)[0] for t in facts.texts.values() if sentences(t.text)]
    return f"Your {facts.shape or ''} hand, in short: " + " ".join(firsts[:4])


def compare(context: ChatContext, hand: str | None) -> str:
    """Line by line against the other hand (asked for, or the default), else an earlier one."""
    current = context.reading
    if current is None:
        return no_reading(context, "heart")
    wants_hands = hand is not None or "hand" in context.question.lower()
    other = pick_comparison(current, context.others, wants_hands)
    if other is None:
        return (
            "I only have this one finished reading, so there is nothing to compare yet. "
            "Analyze a photo of your other hand, or a newer photo, and ask again."
        )
    return no_earlier_note(current, other, wants_hands) + comparison_text(current, other)


def pick_comparison(
    current: ReadingFacts, others: list[ReadingFacts], wants_hands: bool
) -> ReadingFacts | None:
    """The other hand when hands are asked about, else an earlier photo of the same hand."""
    other_hand = [o for o in others if o.hand and o.hand != current.hand]
    same_hand = [o for o in others if o.hand == current.hand]
    earlier = [o for o in same_hand if o.created_at <= current.created_at]
    order = (
        (other_hand + earlier + same_hand) if wants_hands else (earlier + same_hand + other_hand)
    )
    return order[0] if order else None


def comparison_text(current: ReadingFacts, other: ReadingFacts) -> str:
    rows = []
    for name in LINE_NAMES:
        a, b = current.line(name), other.line(name)
        if a is None or b is None:
            continue
        verdict = "the same" if a.describe() == b.describe() else "different"
        rows.append(f"{name.title()}: {a.describe()} here vs {b.describe()} there ({verdict}).")
    shape = (
        f"Both hands read as {current.shape}."
        if current.shape == other.shape
        else f"Shape: {current.shape} here, {other.shape} there."
    )
    lore = (
        "Palmists say the non-dominant hand shows what you were born with and the dominant "
        "hand what you make of it."
        if current.hand != other.hand
        else "Lines change slowly; differences between photos also come from light and angle."
    )
    return f"Comparing {current.label} with {other.label}: {' '.join(rows)} {shape} {lore}"


def no_earlier_note(current: ReadingFacts, other: ReadingFacts, wants_hands: bool) -> str:
    if wants_hands or other.hand == current.hand:
        return ""
    return (
        f"I have no earlier photo of your {current.hand} hand, so I compare with your "
        f"{other.hand} hand. "
    )
