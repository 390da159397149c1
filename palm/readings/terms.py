"""The blind index of the interpretation texts (``reading_terms``): what lets the History text
search run in SQL although the texts are encrypted at rest.

Each reading gets one row per distinct *term* of its interpretations' titles and texts: the
keyed HMAC-SHA256 (first 8 bytes, a BIGINT) of each word, casefolded. The database sees only
these numbers: without the key it cannot tell which word a term is, though it can see which
readings share one (word frequencies leak, the words do not) — the price of searching without
decrypting everything, and why plaintext FTS (which would store the words themselves) is not
used.

Search semantics (``search_terms``, ``matches``): every word of the search must be a word of
the reading's texts, in any order and any case ("WARMTH steady" finds "Steady warmth"; "warm"
does not). Whole words, not prefixes: prefixes of 3–12 letters would be ~64 terms a reading
instead of ~15 (61M rows at 1M readings, 4× the index and its write cost).

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

from cryptography.fernet import MultiFernet
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from palm.db import cipher_of
from palm.models import Interpretation, ReadingTerm
from palm.readings import changes

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
    """Runs of letters, digits and underscores, casefolded."""
    return WORD.findall(text.casefold())


def term(key: bytes, string: str) -> int:
    """A word's term: 8 bytes of its HMAC, as a signed 64-bit integer (BIGINT)."""
    digest = hmac.new(key, string.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def terms_of(key: bytes, texts: Iterable[str]) -> list[int]:
    return sorted({term(key, word) for text in texts for word in words(text)})


def index_reading(session: Session, reading_id: int, texts: Iterable[str]) -> None:
    """Replace the reading's terms with those of ``texts`` (its titles and texts)."""
    key = key_of(session.get_bind().dialect)
    session.execute(delete(ReadingTerm).where(ReadingTerm.reading_id == reading_id))
    rows = [{"term": value, "reading_id": reading_id} for value in terms_of(key, texts)]
    if rows:
        session.execute(insert(ReadingTerm), rows)


def search_terms(key: bytes, text: str) -> tuple[int, ...]:
    """The terms a reading needs to match the search (none: the search has no word, and then
    nothing matches)."""
    return tuple(sorted({term(key, word) for word in words(text)}))


def matches(text: str, texts: Iterable[str]) -> bool:
    """The search semantics on plain texts (what the terms compute in SQL)."""
    wanted = set(words(text))
    present = {word for item in texts for word in words(item)}
    return bool(wanted) and wanted <= present


def rebuild(session: Session, batch: int = 5000) -> None:
    """Re-index every reading from its decrypted texts (bulk loads, a retired oldest key), a
    window of reading ids at a time (memory stays at one window); mirrors are told to reload."""
    changes.record(session, None)
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
