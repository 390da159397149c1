"""Full-text search over a user's own chat: message text and thread titles, with filters.

Messages are encrypted at rest, so the database cannot search them. Each process keeps a
per-user index of decrypted, case-folded texts in memory (never in Redis or on disk), keyed by
a generation — (count, max id) of the user's messages, one indexed query. Messages are
append-only, so a newer max id with a matching count loads only the new rows; a deleted
thread changes the count and rebuilds. Thread filters (folder, tag, reading, pinned,
archived) run on the conversations first; the scan then skips other threads' messages.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.chat.sealing import unseal
from palm.models import Conversation, Message

SNIPPET_RADIUS = 70
MAX_INDEXED_USERS = 16


@dataclass(frozen=True)
class SearchFilters:
    """None means "any"; dates are inclusive UTC days."""

    folder: str | None = None
    tag: str | None = None
    reading_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    pinned: bool | None = None
    archived: bool | None = None


@dataclass(frozen=True)
class SearchHit:
    """A match: a message (jump to ``message_id`` in the thread) or a title (no message)."""

    conversation_id: int
    title: str
    message_id: int | None
    role: str | None
    snippet: str
    created_at: datetime


@dataclass
class _UserIndex:
    generation: tuple[int, int] = (0, 0)
    ids: list[int] = field(default_factory=list)
    conversations: list[int] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    created: list[datetime] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)

    def add(self, cipher: MultiFernet, rows: Sequence[Any]) -> None:
        """Append rows of (id, conversation id, role, created, token), oldest first."""
        for message_id, conversation_id, role, created, token in rows:
            text = unseal(cipher, token)
            self.ids.append(message_id)
            self.conversations.append(conversation_id)
            self.roles.append(role)
            self.created.append(created)
            self.texts.append(text)
            self.folded.append(text.casefold())


def snippet(text: str, term: str) -> str:
    """The text around the first occurrence of ``term`` (case-folded), with ellipses."""
    at = max(0, text.casefold().find(term))
    start, end = max(0, at - SNIPPET_RADIUS), min(len(text), at + len(term) + SNIPPET_RADIUS)
    return (
        ("…" if start else "")
        + text[start:end].replace("\n", " ")
        + ("…" if end < len(text) else "")
    )


class SearchIndex:
    """Per-process cache of users' decrypted messages (LRU over users)."""

    def __init__(self, max_users: int = MAX_INDEXED_USERS) -> None:
        self.max_users = max_users
        self._users: OrderedDict[int, _UserIndex] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._users.clear()

    def _fresh(self, session: Session, cipher: MultiFernet, user_id: int) -> _UserIndex:
        count, max_id = session.execute(
            select(func.count(Message.id), func.coalesce(func.max(Message.id), 0)).where(
                Message.user_id == user_id
            )
        ).one()
        generation = (int(count), int(max_id))
        with self._lock:
            index = self._users.pop(user_id, None)
        if index is None or index.generation != generation:
            index = self._update(session, cipher, user_id, index, generation)
        with self._lock:
            self._users[user_id] = index
            while len(self._users) > self.max_users:
                self._users.popitem(last=False)
        return index

    def _update(
        self,
        session: Session,
        cipher: MultiFernet,
        user_id: int,
        index: _UserIndex | None,
        generation: tuple[int, int],
    ) -> _UserIndex:
        query = (
            select(
                Message.id,
                Message.conversation_id,
                Message.role,
                Message.created_at,
                Message.content_token,
            )
            .where(Message.user_id == user_id)
            .order_by(Message.id)
        )
        if index is not None:
            new_rows = list(session.execute(query.where(Message.id > index.generation[1])))
            if len(index.ids) + len(new_rows) == generation[0]:
                index.add(cipher, new_rows)
                index.generation = generation
                return index
        rebuilt = _UserIndex(generation=generation)
        rebuilt.add(cipher, list(session.execute(query)))
        return rebuilt

    def search(
        self,
        session: Session,
        cipher: MultiFernet,
        user_id: int,
        query: str,
        filters: SearchFilters | None = None,
        *,
        limit: int = 50,
    ) -> list[SearchHit]:
        """Newest matches first: every word of ``query`` must occur (case-insensitive)."""
        terms = [term for term in query.casefold().split() if term]
        titles = _threads(session, cipher, user_id, filters or SearchFilters())
        if not terms or not titles:
            return []
        hits = [
            SearchHit(cid, title, None, None, title, created)
            for cid, (title, created) in titles.items()
            if all(term in title.casefold() for term in terms)
        ]
        index = self._fresh(session, cipher, user_id)
        hits += _scan(index, titles, terms, filters or SearchFilters(), limit - len(hits))
        return hits[:limit]


def _threads(
    session: Session, cipher: MultiFernet, user_id: int, filters: SearchFilters
) -> dict[int, tuple[str, datetime]]:
    """The user's threads passing the thread filters: id → (title, updated)."""
    query = select(Conversation).where(Conversation.user_id == user_id)
    if filters.folder is not None:
        query = query.where(Conversation.folder == filters.folder)
    if filters.reading_id is not None:
        query = query.where(Conversation.reading_id == filters.reading_id)
    if filters.pinned is not None:
        query = query.where(Conversation.pinned == filters.pinned)
    if filters.archived is not None:
        query = query.where(Conversation.archived == filters.archived)
    return {
        c.id: (unseal(cipher, c.title_token), c.updated_at)
        for c in session.scalars(query)
        if filters.tag is None or filters.tag in c.tags
    }


def _scan(
    index: _UserIndex,
    titles: dict[int, tuple[str, datetime]],
    terms: list[str],
    filters: SearchFilters,
    limit: int,
) -> list[SearchHit]:
    hits: list[SearchHit] = []
    first = terms[0]
    for i in range(len(index.ids) - 1, -1, -1):
        if len(hits) >= limit:
            break
        folded = index.folded[i]
        if first not in folded or index.conversations[i] not in titles:
            continue
        day = index.created[i].date()
        if (filters.date_from and day < filters.date_from) or (
            filters.date_to and day > filters.date_to
        ):
            continue
        if all(term in folded for term in terms[1:]):
            cid = index.conversations[i]
            hits.append(
                SearchHit(
                    cid,
                    titles[cid][0],
                    index.ids[i],
                    index.roles[i],
                    snippet(index.texts[i], first),
                    index.created[i],
                )
            )
    return hits


#: The process-wide index the app uses; tests and the bench make their own.
SEARCH_INDEX = SearchIndex()


#: Search through the process-wide index (SearchIndex.search).
search_messages = SEARCH_INDEX.search
