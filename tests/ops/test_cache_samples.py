"""The cache counters' per-minute history: one snapshot a minute in Redis, turned into hits
and misses per minute; a counter reset starts again from its new value."""

from __future__ import annotations

from redis import Redis

from palm.explore import cache as explore_cache
from palm.ops import cache_history, sample_caches
from palm.ops.samples import KEEP_SECONDS, PREFIX
from palm.readers import cache as reply_cache

T0 = 1_800_000_000.0  # a whole minute


def counters(redis: Redis, hits: int, misses: int, explore_hits: int = 0) -> None:
    redis.set(reply_cache.HITS_KEY, hits)
    redis.set(reply_cache.MISSES_KEY, misses)
    redis.set(explore_cache.HITS_KEY, explore_hits)
    redis.set(explore_cache.MISSES_KEY, 0)


def test_snapshots_become_lookups_per_minute(redis_client: Redis) -> None:
    counters(redis_client, 0, 0)
    sample_caches(redis_client, now=T0)
    counters(redis_client, 5, 2, explore_hits=7)
    sample_caches(redis_client, now=T0 + 60)
    counters(redis_client, 9, 9, explore_hits=7)
    sample_caches(redis_client, now=T0 + 70)  # the same minute: the first snapshot stays
    sample_caches(redis_client, now=T0 + 150)
    counters(redis_client, 1, 0)  # counters flushed
    sample_caches(redis_client, now=T0 + 180)
    points = [
        (p.cache, int(p.minute.timestamp() - T0), p.hits, p.misses)
        for p in cache_history(redis_client, now=T0 + 200)
    ]
    assert [p for p in points if p[0] == "llm_reply"] == [
        ("llm_reply", 60, 5, 2),
        ("llm_reply", 120, 4, 7),
        ("llm_reply", 180, 1, 0),
    ]
    assert next(p for p in points if p[0] == "explore") == ("explore", 60, 7, 0)
    assert 0 < redis_client.ttl(PREFIX + "llm_reply") <= KEEP_SECONDS


def test_snapshots_older_than_a_day_are_dropped(redis_client: Redis) -> None:
    counters(redis_client, 1, 1)
    sample_caches(redis_client, now=T0)
    sample_caches(redis_client, now=T0 + KEEP_SECONDS + 120)
    fields = redis_client.hkeys(PREFIX + "llm_reply")
    assert [int(f) for f in fields] == [int(T0 + KEEP_SECONDS + 120) // 60 * 60]
