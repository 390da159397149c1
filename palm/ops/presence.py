"""Who is online: signed-in sessions (server-side, in Redis) used in the last two minutes,
by role and by the page each last ran (its url path, "/" the home page). Read-only over
palm.accounts' session keys."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.models import User

ONLINE_SECONDS = 120.0
#: palm.accounts' session keys (its SESSION_PREFIX, not part of its surface; a test checks
#: the two agree).
SESSION_PREFIX = "palm:session:"
UNKNOWN_PAGE = "unknown"  # a session that has run no page since it was kept


@dataclass(frozen=True)
class Presence:
    sessions: int
    people: int
    by_role: dict[str, int]
    emails: list[str]
    by_page: dict[str, int] = field(default_factory=dict)  # people per page, most first


def presence(session: Session, redis: Redis, *, now: float, limit: int = 100) -> Presence:
    """``now`` is a Unix time (sessions record theirs so)."""
    active: list[int] = []
    on_page: dict[str, set[int]] = {}
    for key in redis.scan_iter(match=f"{SESSION_PREFIX}*", count=1000):
        user_id, last_seen, page = redis.hmget(key, ["user_id", "last_seen", "page"])
        if user_id is None or last_seen is None:
            continue
        if now - float(last_seen) <= ONLINE_SECONDS:
            active.append(int(user_id))
            where = (page.decode() if isinstance(page, bytes) else page) or UNKNOWN_PAGE
            on_page.setdefault(where, set()).add(int(user_id))
    people = sorted(set(active))
    rows = (
        session.execute(select(User.email, User.role).where(User.id.in_(people))).all()
        if people
        else []
    )
    per_page = {page: len(users) for page, users in on_page.items()}
    return Presence(
        sessions=len(active),
        people=len(people),
        by_role=dict(Counter(str(role) for _, role in rows)),
        emails=sorted(str(email) for email, _ in rows)[:limit],
        by_page=dict(sorted(per_page.items(), key=lambda item: (-item[1], item[0]))),
    )
