"""Per-minute history of the cache counters: the counters only grow, so worker maintenance
writes one snapshot a minute (the first writer of the minute wins) into a Redis hash that
expires a day after its last write, and the console turns consecutive snapshots into hits
and misses per minute."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis

from palm.explore import cache_stats
from palm.ops.system import reply_cache_stats

PREFIX = "palm:metrics:cache:"
KEEP_SECONDS = 24 * 3600
CACHES = ("llm_reply", "explore")


@dataclass(frozen=True)
class CachePoint:
    minute: datetime
    cache: str
    hits: int
    misses: int


def sample_caches(redis: Redis, *, now: float) -> None:
    """Snapshot both caches' counters for this minute (idempotent within the minute)."""
    minute = int(now // 60) * 60
    for name, stats in (("llm_reply", reply_cache_stats(redis)), ("explore", cache_stats(redis))):
        if stats is None:
            continue
        key = PREFIX + name
        pipe = redis.pipeline()
        pipe.hsetnx(key, str(minute), f"{stats.hits},{stats.misses}")
        pipe.expire(key, KEEP_SECONDS)
        pipe.execute()
        stale = [f for f in redis.hkeys(key) if int(f) < minute - KEEP_SECONDS]
        if stale:
            redis.hdel(key, *stale)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def cache_history(redis: Redis, *, now: float, minutes: int = 60) -> list[CachePoint]:
    """Hits and misses per minute over the last ``minutes``, per cache (a counter that went
    back, as after a flush, starts again from its new value)."""
    since = int(now // 60) * 60 - minutes * 60
    points = []
    for name in CACHES:
        snapshots = sorted(
            (int(field), *(int(v) for v in _text(value).split(",")))
            for field, value in redis.hgetall(PREFIX + name).items()
        )
        for (_, hits_before, misses_before), (at, hits, misses) in itertools.pairwise(snapshots):
            if at <= since:
                continue
            points.append(
                CachePoint(
                    minute=datetime.fromtimestamp(at, UTC),
                    cache=name,
                    hits=hits - hits_before if hits >= hits_before else hits,
                    misses=misses - misses_before if misses >= misses_before else misses,
                )
            )
    return points
