"""Redis cache for the explore pages' hot reads (trends, history first page, comparisons).

Keys carry a *generation* (palm.infra.generations): a counter per user, plus one for
cross-user views, bumped by the writers after every write that changes what those views show
(new reading, reading done, delete, share, revoke, e-mail opt-in). A bump makes every older
key unreachable at once, so invalidation is exact without scanning; the TTL only reclaims
memory. The generation is read *before* the database, so a value computed while a write lands
is stored under the old generation and never served after the bump. Redis trouble never
breaks a page: the value is computed afresh.

Values are sealed with the process's MultiFernet (palm.infra.seal_value): a history page holds
filenames and summaries, a comparison the owners' e-mail addresses, and none of that is clear
text in Redis. Keys hold only scopes, generations, filter digests and reading ids. A value that
does not decrypt is a miss.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from cryptography.fernet import MultiFernet
from pydantic import TypeAdapter
from redis import Redis
from redis.exceptions import RedisError

from palm.explore.query import Viewer
from palm.infra import (
    GLOBAL_GENERATION,
    RotatedValues,
    open_value,
    rotate_values,
    seal_value,
    user_generation_key,
)

T = TypeVar("T")
PREFIX = "palm:cache:explore"
HITS_KEY = f"{PREFIX}:hits"
MISSES_KEY = f"{PREFIX}:misses"
DEFAULT_TTL = 300
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


def cache_stats(redis: Redis) -> CacheStats | None:
    """Hit and miss counts, or None when Redis does not answer."""
    try:
        hits, misses = redis.mget(HITS_KEY, MISSES_KEY)
    except (RedisError, OSError):
        return None
    return CacheStats(hits=int(hits or 0), misses=int(misses or 0))


def rotate_cached_views(redis: Redis, cipher: MultiFernet) -> RotatedValues:
    """Every cached view re-encrypted under the newest key (the counters have no ``:`` after
    the prefix, so the pattern leaves them alone)."""
    return rotate_values(redis, cipher, f"{PREFIX}:*:*")


def forget_comparisons(redis: Redis | None, user_id: int, reading_id: int) -> int:
    """Delete the user's cached comparisons that include the reading: once a share is revoked
    its former recipient's comparison must not stay in Redis, not even under an unreachable
    generation until its TTL. Redis trouble is logged (the generation bump still hides it)."""
    if redis is None:
        return 0
    try:
        doomed = [
            key
            for key in redis.scan_iter(match=f"{PREFIX}:compare:user:{user_id}:*", count=500)
            if str(reading_id) in key.decode().rsplit(":", 1)[-1].split("-")
        ]
        return int(redis.delete(*doomed)) if doomed else 0
    except (RedisError, OSError) as error:
        log.warning("explore cache: could not drop comparisons: %s", error)
        return 0


class ExploreCache:
    """Get-or-compute with sealed JSON values (pydantic TypeAdapter) under generation keys."""

    def __init__(
        self, redis: Redis | None, cipher: MultiFernet, ttl_seconds: int = DEFAULT_TTL
    ) -> None:
        self.redis = redis
        self.cipher = cipher
        self.ttl = ttl_seconds

    def _generation_keys(self, viewer: Viewer, owners: Iterable[int]) -> list[str]:
        own = GLOBAL_GENERATION if viewer.sees_everyone else user_generation_key(viewer.user_id)
        return [own, *(user_generation_key(owner) for owner in sorted(set(owners)))]

    def key_for(
        self,
        kind: str,
        viewer: Viewer,
        params: str,
        owners: Iterable[int] = (),
        *,
        exact: bool = True,
    ) -> str:
        """The current key (reads the generations); raises RedisError when Redis is down.
        ``exact=False`` leaves the generation out: for options where staleness up to the TTL
        is harmless (the engines in the filter bar), so writes do not recompute them."""
        assert self.redis is not None
        if not exact:
            return f"{PREFIX}:{kind}:{viewer.scope}:ttl:{params}"
        generations = self.redis.mget(self._generation_keys(viewer, owners))
        stamp = ".".join(str(int(value or 0)) for value in generations)
        return f"{PREFIX}:{kind}:{viewer.scope}:g{stamp}:{params}"

    def fetch(
        self,
        kind: str,
        viewer: Viewer,
        params: str,
        compute: Callable[[], T],
        adapter: TypeAdapter[T],
        *,
        owners: Iterable[int] = (),
        keep: Callable[[T], bool] = lambda _value: True,
        exact: bool = True,
    ) -> T:
        """The cached value, or ``compute()`` stored when ``keep(value)`` says it may be."""
        if self.redis is None:
            return compute()
        try:
            key = self.key_for(kind, viewer, params, owners, exact=exact)
            raw = self.redis.get(key)
        except (RedisError, OSError) as error:
            log.warning("explore cache unavailable: %s", error)
            return compute()
        payload = open_value(self.cipher, raw) if isinstance(raw, bytes) else None
        if payload is not None:
            self._count(HITS_KEY)
            return adapter.validate_json(payload)
        self._count(MISSES_KEY)
        value = compute()
        if keep(value):
            self._store(key, seal_value(self.cipher, adapter.dump_json(value)))
        return value

    def _count(self, counter: str) -> None:
        try:
            assert self.redis is not None
            self.redis.incr(counter)
        except (RedisError, OSError):
            pass

    def _store(self, key: str, payload: bytes) -> None:
        try:
            assert self.redis is not None
            self.redis.set(key, payload, ex=self.ttl)
        except (RedisError, OSError) as error:
            log.warning("explore cache: store failed: %s", error)
