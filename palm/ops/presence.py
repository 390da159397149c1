"""Who is online: signed-in sessions (server-side, in Redis) used in the last two minutes,
by role. Read-only over palm.accounts' session keys."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.models import User

ONLINE_SECONDS = 120.0
#: palm.accounts' session keys (its SESSION_PREFIX, not part of its surface; a test checks
#: the two agree).
SESSION_PREFIX = "palm:session:"


@dataclass(frozen=True)
class Presence:
    sessions: int
    people: int
    by_role: dict[str, int]
    emails: list[str]


def presence(session: Session, redis: Redis, *, now: float, limit: int = 100) -> Presence:
    """``now`` is a Unix time (sessions record theirs so)."""
    active: list[int] = []
    for key in redis.scan_iter(match=f"{SESSION_PREFIX}*", count=1000):
        user_id, last_seen = redis.hmget(key, ["user_id", "last_seen"])
        if user_id is None or last_seen is None:
            continue
        if now - float(last_seen) <= ONLINE_SECONDS:
            active.append(int(user_id))
    people = sorted(set(active))
    rows = (
        session.execute(select(User.email, User.role).where(User.id.in_(people))).all()
        if people
        else []
    )
    return Presence(
        sessions=len(active),
        people=len(people),
        by_role=dict(Counter(str(role) for _, role in rows)),
        emails=sorted(str(email) for email, _ in rows)[:limit],
    )
