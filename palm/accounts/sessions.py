"""Server-side sign-in sessions in Redis, shared by every Streamlit replica and browser tab.

The browser holds an opaque random token in an HttpOnly cookie; Redis holds only its SHA-256
(``palm:session:<hash>``: user, created, last seen, user agent, the page last run), with an
idle lifetime that every use renews. Signing in happens in the page, but a page cannot set an
HttpOnly cookie: it issues a one-time ticket (60 s) that the ``/auth/complete`` route redeems
for the session and the cookie. Revoking deletes the key, so every tab is signed out on its
next action.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError

from palm.errors import PalmError

SESSION_COOKIE = "palm_session"
SESSION_PREFIX = "palm:session:"
USER_SESSIONS_PREFIX = "palm:user-sessions:"
TICKET_PREFIX = "palm:signin-ticket:"
TICKET_SECONDS = 60
MAX_USER_AGENT = 256
MAX_PAGE = 64
#: HSET only on a live session: a plain HSET on an expired key would leave one with no TTL.
_NOTE_PAGE = (
    "if redis.call('exists', KEYS[1]) == 1 then "
    "redis.call('hset', KEYS[1], 'page', ARGV[1]) return 1 end return 0"
)
P = ParamSpec("P")
R = TypeVar("R")


class SessionStoreUnavailableError(PalmError):
    """Redis did not answer: nobody can be signed in or out until it is back."""

    retryable = True

    def __init__(self) -> None:
        super().__init__(
            "SESSIONS_UNAVAILABLE",
            "Sign-in is paused: the session store (Redis) is not reachable. Try again shortly.",
        )


def _guarded(function: Callable[P, R]) -> Callable[P, R]:
    """Turn a Redis failure into SessionStoreUnavailableError (pages show its message)."""

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except (RedisError, OSError) as exc:
            raise SessionStoreUnavailableError() from exc

    return call


@dataclass(frozen=True)
class SessionInfo:
    user_id: int
    created: float
    last_seen: float
    user_agent: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@_guarded
def open_session(redis: Redis, user_id: int, user_agent: str, *, idle_seconds: int) -> str:
    """A new session for the user; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    key = SESSION_PREFIX + token_hash(token)
    now = time.time()
    fields: list[str | float] = ["user_id", user_id, "created", now, "last_seen", now]
    fields += ["user_agent", user_agent[:MAX_USER_AGENT]]
    pipe = redis.pipeline()
    pipe.hset(key, items=fields)
    pipe.expire(key, idle_seconds)
    pipe.sadd(USER_SESSIONS_PREFIX + str(user_id), token_hash(token))
    pipe.execute()
    return token


@_guarded
def resolve(redis: Redis, token: str, *, idle_seconds: int) -> SessionInfo | None:
    """The live session behind a cookie token (its idle lifetime renewed), else None."""
    if not token:
        return None
    key = SESSION_PREFIX + token_hash(token)
    raw = redis.hgetall(key)
    if not raw:
        return None
    fields = {_text(k): _text(v) for k, v in raw.items()}
    now = time.time()
    pipe = redis.pipeline()
    pipe.hset(key, "last_seen", now)
    pipe.expire(key, idle_seconds)
    pipe.execute()
    return SessionInfo(
        user_id=int(fields["user_id"]),
        created=float(fields["created"]),
        last_seen=now,
        user_agent=fields.get("user_agent", ""),
    )


@_guarded
def note_page(redis: Redis, token: str, url_path: str) -> bool:
    """Record the page (its url path) the session's script is running, for the admin's
    presence by page; one round trip, and nothing for an ended or unknown session."""
    if not token:
        return False
    key = SESSION_PREFIX + token_hash(token)
    return bool(redis.eval(_NOTE_PAGE, 1, key, url_path[:MAX_PAGE]))


@_guarded
def revoke(redis: Redis, token: str) -> None:
    """End the session behind a token (signing out); unknown tokens are ignored."""
    if not token:
        return
    hashed = token_hash(token)
    key = SESSION_PREFIX + hashed
    user_id = redis.hget(key, "user_id")
    pipe = redis.pipeline()
    pipe.delete(key)
    if user_id is not None:
        pipe.srem(USER_SESSIONS_PREFIX + _text(user_id), hashed)
    pipe.execute()


@dataclass(frozen=True)
class ActiveSession:
    """One live session of a person, named by its token's hash (never the token)."""

    id: str
    created: float
    last_seen: float
    user_agent: str


@_guarded
def list_sessions(redis: Redis, user_id: int) -> list[ActiveSession]:
    """The person's live sessions, most recently used first; expired ones leave the index."""
    index = USER_SESSIONS_PREFIX + str(user_id)
    found: list[ActiveSession] = []
    for member in redis.smembers(index):
        hashed = _text(member)
        raw = redis.hgetall(SESSION_PREFIX + hashed)
        fields = {_text(k): _text(v) for k, v in raw.items()}
        if fields.get("user_id") != str(user_id):
            redis.srem(index, hashed)
            continue
        found.append(
            ActiveSession(
                id=hashed,
                created=float(fields["created"]),
                last_seen=float(fields["last_seen"]),
                user_agent=fields.get("user_agent", ""),
            )
        )
    return sorted(found, key=lambda entry: entry.last_seen, reverse=True)


@_guarded
def revoke_by_id(redis: Redis, user_id: int, session_id: str) -> bool:
    """End one of the person's own sessions by its id; another person's id does nothing."""
    index = USER_SESSIONS_PREFIX + str(user_id)
    if not redis.sismember(index, session_id):
        return False
    pipe = redis.pipeline()
    pipe.delete(SESSION_PREFIX + session_id)
    pipe.srem(index, session_id)
    pipe.execute()
    return True


@_guarded
def revoke_all(redis: Redis, user_id: int, *, keep: str = "") -> int:
    """End every session of the person but ``keep`` (a session id); how many ended."""
    index = USER_SESSIONS_PREFIX + str(user_id)
    doomed = [_text(member) for member in redis.smembers(index) if _text(member) != keep]
    if not doomed:
        return 0
    pipe = redis.pipeline()
    pipe.delete(*(SESSION_PREFIX + hashed for hashed in doomed))
    pipe.srem(index, *doomed)
    pipe.execute()
    return len(doomed)


@_guarded
def issue_ticket(redis: Redis, user_id: int, next_path: str) -> str:
    """A one-time, short-lived proof of a successful sign-in, for ``/auth/complete``."""
    ticket = secrets.token_urlsafe(32)
    redis.set(
        TICKET_PREFIX + token_hash(ticket), f"{user_id}|{safe_next(next_path)}", ex=TICKET_SECONDS
    )
    return ticket


@_guarded
def redeem_ticket(redis: Redis, ticket: str) -> tuple[int, str] | None:
    """The user and the page to return to, once; a used, expired or forged ticket is None."""
    if not ticket:
        return None
    raw = redis.getdel(TICKET_PREFIX + token_hash(ticket))
    if raw is None:
        return None
    user_id, _, next_path = _text(raw).partition("|")
    return int(user_id), safe_next(next_path)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def safe_next(path: str) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative ``//evil``."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return "/"
    if "\\" in path:
        return "/"
    return path
