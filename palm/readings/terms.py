"""The blind index of the interpretation texts (``reading_terms``): what lets the History text
search run in SQL although the texts are encrypted at rest.

Each reading gets one row per distinct *term* of its interpretations' titles and texts: the
keyed HMAC-SHA256 (first 8 bytes, a BIGINT) of every word, casefolded, and of each of its
prefixes from 3 to ``PREFIX_MAX`` letters. The database sees only these numbers: without the
key it cannot tell which word a term is, though it can see which readings share one (word
frequencies leak, the words do not) — the price of searching without decrypting everything,
and why plaintext FTS (which would store the words themselves) is not used.

Search semantics (``search_terms``): every word of the search must start a word of one of the
reading's texts, in any order and any case ("stead warm" finds "Steady warmth"); a search
word of one or two letters matches that whole word only; one longer than ``PREFIX_MAX`` is
looked up by its first ``PREFIX_MAX`` letters and the candidates are then checked against the
decrypted texts (``matches``), so the result is exact either way.

Kept in the write transaction by ``store.replace_results`` (the reading's terms replaced with
its interpretations); deleting a reading cascades. The key is derived from the *oldest* key of
the engine's cipher, as the pseudonyms are: rotation adds keys in front, so terms stay valid
until that key is retired, which must re-index (``rebuild``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.fernet import MultiFernet
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from palm.db import cipher_of
from palm.models import Interpretation, ReadingTerm

PREFIX_MIN, PREFIX_MAX = 3, 12
WORD = re.compile(r"\w+")
#: Per cipher object (weak: a cipher gone must not lend its key to a new one at its address).
_KEYS: weakref.WeakKeyDictionary[MultiFernet, bytes] = weakref.WeakKeyDictionary()


def term_key(cipher: MultiFernet) -> bytes:
    """The index key of a cipher: derived from its oldest key, apart from that key's uses."""
    cached = _KEYS.get(cipher)
    if cached is None:
        oldest = cipher._fernets[-1]
        material = oldest._signing_key + oldest._encryption_key
        cached = hashlib.sha256(b"palmline/reading-terms/" + material).digest()
        _KEYS[cipher] = cached
    return cached


def key_of(dialect: Dialect) -> bytes:
    """The index key of the engine this dialect belongs to (its cipher's)."""
    return term_key(cipher_of(dialect))


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def strings_of(texts: Iterable[str]) -> set[str]:
    """What gets a term: each word, and its prefixes of PREFIX_MIN..PREFIX_MAX letters."""
    found: set[str] = set()
    for text in texts:
        for word in words(text):
            found.add(word)
            found.update(word[:size] for size in range(PREFIX_MIN, min(len(word), PREFIX_MAX + 1)))
    return found


def term(key: bytes, string: str) -> int:
    """A string's term: 8 bytes of its HMAC, as a signed 64-bit integer (BIGINT)."""
    digest = hmac.new(key, string.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def terms_of(key: bytes, texts: Iterable[str]) -> list[int]:
    return sorted({term(key, string) for string in strings_of(texts)})


def index_reading(session: Session, reading_id: int, texts: Iterable[str]) -> None:
    """Replace the reading's terms with those of ``texts`` (its titles and texts)."""
    key = key_of(session.get_bind().dialect)
    session.execute(delete(ReadingTerm).where(ReadingTerm.reading_id == reading_id))
    rows = [{"term": value, "reading_id": reading_id} for value in terms_of(key, texts)]
    if rows:
        session.execute(insert(ReadingTerm), rows)


@dataclass(frozen=True)
class Search:
    """A text search as terms: every one must be the reading's; ``verify`` when a word was
    longer than PREFIX_MAX (its term only narrows the candidates)."""

    terms: tuple[int, ...]
    verify: bool


def search_terms(key: bytes, text: str) -> Search | None:
    """The terms of a search, or None when it has no word (then nothing is indexed for it)."""
    query = words(text)
    if not query:
        return None
    return Search(
        tuple(sorted({term(key, word[:PREFIX_MAX]) for word in query})),
        any(len(word) > PREFIX_MAX for word in query),
    )


def matches(text: str, texts: Iterable[str]) -> bool:
    """The search semantics on plain texts: every search word starts one of their words (a
    word of one or two letters: equals one)."""
    present = {word for item in texts for word in words(item)}
    return all(
        any(word == have if len(word) < PREFIX_MIN else have.startswith(word) for have in present)
        for word in words(text)
    )


def rebuild(session: Session, batch: int = 5000) -> None:
    """Re-index every reading from its decrypted texts (bulk loads, a retired oldest key), a
    window of reading ids at a time (memory stays at one window)."""
    session.execute(delete(ReadingTerm))
    key = key_of(session.get_bind().dialect)
    last = session.scalar(select(func.max(Interpretation.reading_id))) or 0
    for start in range(0, last, batch):
        query = select(Interpretation.reading_id, Interpretation.title, Interpretation.text)
        window = query.where(Interpretation.reading_id.between(start + 1, start + batch))
        texts: dict[int, list[str]] = {}
        for reading_id, title, text in session.execute(window):
            texts.setdefault(reading_id, []).extend((title, text))
        rows = [
            {"term": value, "reading_id": reading_id}
            for reading_id, items in texts.items()
            for value in terms_of(key, items)
        ]
        if rows:
            session.execute(insert(ReadingTerm), rows)
