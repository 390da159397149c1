"""Every Redis key that can concern one person, and how deleting their account removes it.

Keys hold ids and digests only (values are sealed), so they are found by pattern:

- ``palm:session:<hash>`` and ``palm:user-sessions:<id>``: their sign-in sessions;
- ``palm:signin-ticket:<hash>``: a sign-in half done (60 s), found by its value;
- ``palm:signin-known:<digest(e-mail)>``: the networks they signed in from;
- ``palm:submit-lock:<id>``: a submission in progress;
- ``palm:explore:gen:user:<id>`` and ``palm:cache:explore:*:user:<id>:*``: their cached
  explore views; cross-user views (``*:all:*``) and the comparisons of people they shared
  with are dropped too, since those may hold their readings;
- ``palm:cache:llm:entry:<photo sha256>:*``: cached LLM replies about their photos;
- ``palm:export:job:<id>`` and ``palm:export:data:<id>``: their export and its zip;
- ``LIMITS:LIMITER/<action>:account/<id>/*``, ``LIMITS:LIMITER/chat/user:<id>/*``,
  ``LIMITS:LIMITER/sign-in:account/<digest(e-mail)>/*`` and
  ``LIMITS:LIMITER/sign-in:pair/<digest(e-mail)>-*``: their rate-limit counters.

What stays is nobody's: RQ's own keys (job ids and arguments, which are ids), counters of
hits and misses, the cross-user generation, locks of the maintenance work. Per-address
counters (``*:address/<digest(address)>``) count a network, not a person.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis import Redis

from palm.accounts import (
    KNOWN_PREFIX,
    SESSION_PREFIX,
    TICKET_PREFIX,
    USER_SESSIONS_PREFIX,
    revoke_all,
)
from palm.infra import invalidate_users, key_digest, user_generation_key
from palm.readers import forget_cached_replies

LIMITS_PREFIX = "LIMITS:LIMITER/"
EXPLORE_CACHE = "palm:cache:explore"
SUBMIT_LOCK = "palm:submit-lock:"

#: The patterns a deleted person's keys match (``{id}``, ``{email}`` digest, ``{sha}``).
USER_KEY_PATTERNS: tuple[str, ...] = (
    SESSION_PREFIX + "*",
    USER_SESSIONS_PREFIX + "{id}",
    TICKET_PREFIX + "*",
    KNOWN_PREFIX + "{email}",
    SUBMIT_LOCK + "{id}",
    "palm:export:job:{id}",
    "palm:export:data:{id}",
    "palm:explore:gen:user:{id}",
    EXPLORE_CACHE + ":*:user:{id}:*",
    EXPLORE_CACHE + ":*:*:all:*",
    EXPLORE_CACHE + ":compare:user:{recipient}:*",
    "palm:cache:llm:entry:{sha}:*",
    LIMITS_PREFIX + "*:account/{id}/*",
    LIMITS_PREFIX + "chat/user:{id}/*",
    LIMITS_PREFIX + "sign-in:account/{email}/*",
    LIMITS_PREFIX + "sign-in:pair/{email}-*",
)


def _delete_matching(redis: Redis, pattern: str) -> int:
    keys = list(redis.scan_iter(match=pattern, count=500))
    return int(redis.delete(*keys)) if keys else 0


def _tickets_of(redis: Redis, user_id: int) -> list[bytes]:
    mine = f"{user_id}|".encode()
    found = []
    for key in redis.scan_iter(match=TICKET_PREFIX + "*", count=500):
        value = redis.get(key)
        if isinstance(value, bytes) and value.startswith(mine):
            found.append(key)
    return found


def erase_redis(
    redis: Redis,
    *,
    user_id: int,
    emails: Iterable[str],
    image_sha256s: Iterable[str],
    recipients: Iterable[int],
) -> int:
    """Remove every key of the person (see the module's list); returns how many went."""
    removed = revoke_all(redis, user_id)
    digests = [key_digest(email) for email in set(emails)]
    exact = [USER_SESSIONS_PREFIX + str(user_id), SUBMIT_LOCK + str(user_id)]
    exact += [f"palm:export:job:{user_id}", f"palm:export:data:{user_id}"]
    exact += [user_generation_key(user_id), *(KNOWN_PREFIX + digest for digest in digests)]
    exact += [key.decode() for key in _tickets_of(redis, user_id)]
    removed += int(redis.delete(*exact))
    patterns = [
        f"{EXPLORE_CACHE}:*:user:{user_id}:*",
        f"{EXPLORE_CACHE}:*:*:all:*",
        f"{LIMITS_PREFIX}*:account/{user_id}/*",
        f"{LIMITS_PREFIX}chat/user:{user_id}/*",
        *(f"{LIMITS_PREFIX}sign-in:account/{digest}/*" for digest in digests),
        *(f"{LIMITS_PREFIX}sign-in:pair/{digest}-*" for digest in digests),
        *(f"{EXPLORE_CACHE}:compare:user:{other}:*" for other in set(recipients)),
    ]
    for pattern in patterns:
        removed += _delete_matching(redis, pattern)
    for sha in set(image_sha256s):
        removed += forget_cached_replies(redis, sha)
    invalidate_users(redis, set(recipients))  # what they were shown is gone
    return removed
