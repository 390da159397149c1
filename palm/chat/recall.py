"""The offline reader's memory of the thread: what the person told, what the reader said
(the sentence that answers the question, not the whole answer), and earlier questions."""

from __future__ import annotations

from palm.chat.memory import NAME_FACT, ChatContext, sentences
from palm.chat.topics import topic_pattern


def recall_self(context: ChatContext) -> str:
    """What the person told about themselves, from the summary and the window."""
    told = context.told()
    question = context.question.lower()
    if "name" in question:
        named = [fact for fact in told if NAME_FACT.search(fact)]
        return f"You told me: “{named[-1]}”" if named else "You haven't told me your name here."
    words = {w.strip("?.,!") for w in question.split()} - STOPWORDS
    scored = [(len(words & {w.strip("?.,!") for w in f.lower().split()}), f) for f in told]
    best = [fact for score, fact in scored if score]
    if best:
        return "You told me: " + " ".join(f"“{fact}”" for fact in best[-2:])
    if told and ("about me" in question or not words):
        return "Here is what you told me: " + " ".join(f"“{fact}”" for fact in told)
    return "You haven't told me that in this conversation, so I won't guess."


_STOPWORDS_TEXT = (
    "a an the i my me you your do did what who is are was to about tell told say said "
    "remember know of in and or it that this earlier before"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
#: Words every answer uses: they say nothing about which sentence a question means.
GENERIC = frozenset(
    ["line", "lines", "palm", "palms", "hand", "hands", "something", "where", "how", "remind"]
)


def _stem(word: str) -> str:
    word = word.strip("?.,!:;\"'“”").lower()
    for suffix in ("ing", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _keywords(text: str, topic: str | None) -> set[str]:
    """What the question asks about beyond its topic's own words ("ends", "depth")."""
    named = topic_pattern(topic) if topic else None
    words = {_stem(w) for w in text.split()} - {_stem(w) for w in STOPWORDS | GENERIC}
    return {w for w in words if w and not (named and named.search(w))}


def relevant_sentences(text: str, question: str, topic: str | None, limit: int = 2) -> str:
    """The sentence of an earlier answer that speaks to the question (its first sentences
    when nothing specific was asked), never the whole answer pasted back."""
    wanted = _keywords(question, topic)
    said = sentences(text)
    scored = [(len(wanted & {_stem(w) for w in s.split()}), s) for s in said]
    best = [item for item in scored if item[0]]
    if not best:  # nothing specific asked: the gist
        return " ".join(said[:limit]) if said else text
    return min(best, key=lambda item: (-item[0], len(item[1])))[1]  # the most to the point


def recall_answer(context: ChatContext, topic: str, label: str) -> str | None:
    """What the reader said earlier on a topic (or in another answer that named it); None
    when the thread never spoke of it."""
    earlier = context.earlier_answer(topic)
    if earlier:
        said = relevant_sentences(earlier, context.question, topic)
        return f"Earlier I said about your {label}: {said}"
    pattern = topic_pattern(topic)
    mentions = context.earlier_mentions(pattern) if pattern else []
    if mentions:
        return f"When I read your palm earlier I said: {' '.join(mentions[-2:])}"
    return None


def recall_question(context: ChatContext) -> str:
    wants_first = "first" in context.question.lower()
    asked = context.first_question() if wants_first else context.previous_question()
    if asked is None:
        return "You haven't asked me anything before this in our conversation."
    return f"Your {'first' if wants_first else 'last'} question was: {asked}"
