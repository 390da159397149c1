"""Rate limits live in the real Redis, so every Streamlit replica shares them."""

from __future__ import annotations

from limits.storage import RedisStorage
from redis import Redis

from palm.infra import RateLimiter, connect, limits_storage


def limiter(redis_url: str, per_minute: int) -> RateLimiter:
    return RateLimiter(RedisStorage(redis_url), per_minute=per_minute, namespace="test")


def test_limit_blocks_after_n_hits_per_key_and_reset_clears_it(redis_url: str) -> None:
    login = limiter(redis_url, 3)
    assert [login.hit("ana") for _ in range(4)] == [True, True, True, False]
    assert login.hit("ben") is True
    login.reset("ana")
    assert login.hit("ana") is True


def test_two_limiters_on_one_redis_share_counts(redis_url: str) -> None:
    first, second = limiter(redis_url, 2), limiter(redis_url, 2)
    assert first.hit("ana") and second.hit("ana")
    assert first.hit("ana") is False


def test_the_storage_shares_the_process_connection_pool(
    redis_client: Redis, redis_url: str
) -> None:
    storage = limits_storage(redis_client, redis_url)
    shared = RateLimiter(storage, per_minute=1, namespace="test")
    assert shared.allows("ana") is True and shared.allows("ana") is False
    assert storage.storage.connection_pool is redis_client.connection_pool


def test_without_redis_the_limiter_fails_open() -> None:
    dead = connect("redis://127.0.0.1:1/0", timeout=0.3)
    unreachable = RateLimiter(limits_storage(dead, "redis://127.0.0.1:1/0"), 1, "test")
    assert [unreachable.allows("ana") for _ in range(3)] == [True, True, True]
