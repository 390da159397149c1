"""Rate limits kept in Redis (the `limits` library), shared by every Streamlit replica."""

from __future__ import annotations

import logging

from limits import RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def limits_storage(redis: Redis, url: str) -> RedisStorage:
    """A `limits` storage on the process's Redis connection pool (no second set of sockets)."""
    return RedisStorage(url, connection_pool=redis.connection_pool)


class RateLimiter:
    """Per-key moving-window limit, e.g. login attempts per e-mail address."""

    def __init__(self, storage: RedisStorage, per_minute: int, namespace: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerMinute(per_minute)
        self._namespace = namespace

    def hit(self, key: str) -> bool:
        """Count one attempt; False when the key is over its limit."""
        return self._limiter.hit(self._item, self._namespace, key)

    def allows(self, key: str) -> bool:
        """Count one attempt; False when over the limit. Without a reachable Redis it fails
        open: every page shows the Redis banner, and refusing everyone would be worse."""
        try:
            return self.hit(key)
        except (RedisError, OSError):
            log.warning("rate limiter %s unavailable; allowing the attempt", self._namespace)
            return True

    def reset(self, key: str) -> None:
        """Forget a key's attempts (after a successful login)."""
        self._limiter.clear(self._item, self._namespace, key)
