"""Short Redis locks for work one person must not start twice at once (a double click)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis

#: Deletes the key only if it still holds our token (the lock may have expired meanwhile).
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"


@contextmanager
def held(redis: Redis, key: str, *, seconds: int) -> Iterator[bool]:
    """Try to take the lock; yields whether we hold it, and releases it afterwards."""
    token = secrets.token_hex(8)
    acquired = bool(redis.set(key, token, nx=True, ex=seconds))
    try:
        yield acquired
    finally:
        if acquired:
            redis.eval(RELEASE, 1, key, token)
