"""Rate limits kept in Redis (the `limits` library), shared by every Streamlit replica."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimiter:
    """Per-key moving-window limit, e.g. login attempts per e-mail address."""

    def __init__(self, redis_url: str, per_minute: int, namespace: str) -> None:
        self._limiter = MovingWindowRateLimiter(RedisStorage(redis_url))
        self._item = RateLimitItemPerMinute(per_minute)
        self._namespace = namespace

    def hit(self, key: str) -> bool:
        """Count one attempt; False when the key is over its limit."""
        return self._limiter.hit(self._item, self._namespace, key)

    def reset(self, key: str) -> None:
        """Forget a key's attempts (after a successful login)."""
        self._limiter.clear(self._item, self._namespace, key)
