"""Redis as INFO reports it, and keys counted per use."""

from __future__ import annotations

from redis import Redis

from palm.ops import Level, redis_health, redis_report
from palm.ops.redis_info import RedisReport


def test_info_and_keys_per_prefix_come_from_the_server(redis_client: Redis) -> None:
    redis_client.set("palm:cache:explore:1", "x")
    redis_client.set("palm:cache:llm:2", "x")
    redis_client.hset("palm:session:abc", "user_id", 1)
    redis_client.set("LIMITS:LIMITER/sign-in/1", 1)
    redis_client.set("rq:queue:default", "x")
    redis_client.set("something-else", "x")
    redis_client.get("palm:cache:explore:1")  # a hit
    redis_client.get("palm:cache:missing")  # a miss
    report = redis_report(redis_client)
    assert report.reachable and report.version.count(".") == 2
    assert report.uptime_seconds >= 0 and report.used_memory > 0
    assert report.peak_memory >= report.used_memory * 0.5
    assert report.clients >= 1 and report.hits >= 1 and report.misses >= 1
    assert report.hit_rate is not None and 0 < report.hit_rate < 1
    assert report.keys == {
        "cache": 2,
        "sessions": 1,
        "rate limits": 1,
        "queues": 1,
        "other": 1,
    }
    assert not report.keys_capped
    assert redis_health(report).level == Level.GREEN


def test_an_unreachable_redis_is_red_with_the_reason() -> None:
    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    report = redis_report(dead)
    assert not report.reachable and report.error
    health = redis_health(report)
    assert health.level == Level.RED and health.reason.startswith("not reachable")


def test_memory_near_maxmemory_and_evictions_are_flagged() -> None:
    full = RedisReport(reachable=True, used_memory=97, max_memory=100, evicted=3)
    assert redis_health(full).level == Level.RED
    assert redis_health(full).reason == "memory at 97% of maxmemory"
    busy = RedisReport(reachable=True, used_memory=85, max_memory=100)
    assert (redis_health(busy).level, redis_health(busy).reason) == (
        Level.AMBER,
        "memory at 85% of maxmemory",
    )
