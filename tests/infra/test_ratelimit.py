"""Rate limits live in the real Redis, so every Streamlit replica shares them."""

from __future__ import annotations

import pytest
from limits.storage import RedisStorage
from pydantic import ValidationError
from redis import Redis

from palm.infra import ActionLimits, RateLimitedError, RateLimiter, connect, limits_storage
from palm.settings import Settings
from palm.vocabulary import Guarded


def limiter(redis_url: str, per_minute: int) -> RateLimiter:
    return RateLimiter(RedisStorage(redis_url), rates=per_minute, namespace="test")


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
    shared = RateLimiter(storage, rates=1, namespace="test")
    assert shared.allows("ana") is True and shared.allows("ana") is False
    assert storage.storage.connection_pool is redis_client.connection_pool


def test_without_redis_the_limiter_fails_open() -> None:
    dead = connect("redis://127.0.0.1:1/0", timeout=0.3)
    unreachable = RateLimiter(limits_storage(dead, "redis://127.0.0.1:1/0"), 1, "test")
    assert [unreachable.allows("ana") for _ in range(3)] == [True, True, True]


def test_tiers_make_the_wait_grow_with_the_burst(redis_url: str) -> None:
    tiered = RateLimiter(RedisStorage(redis_url), "2/minute;3/hour", "test")
    assert [tiered.take("ana") for _ in range(2)] == [0, 0]
    first_wait = tiered.take("ana")
    assert 1 <= first_wait <= 60  # the minute tier is full
    assert tiered.peek("ana") == first_wait  # peeking counts nothing
    tiered.reset("ana")
    assert tiered.take("ana") == 0


def test_a_refusal_counts_nothing(redis_url: str) -> None:
    tiered = RateLimiter(RedisStorage(redis_url), "3/hour", "test")
    assert tiered.take("ana", cost=2) == 0
    assert tiered.take("ana", cost=2) > 0  # two more do not fit…
    assert tiered.take("ana", cost=1) == 0  # …but the one left still does


def test_action_limits_refuse_by_address_first_then_by_account(redis_url: str) -> None:
    limits = ActionLimits(
        Guarded.SHARE,
        per_account=RateLimiter(RedisStorage(redis_url), 2, "test-account"),
        per_address=RateLimiter(RedisStorage(redis_url), 3, "test-address"),
    )
    limits.take(account=1, address="a")
    limits.take(account=1, address="b")
    with pytest.raises(RateLimitedError) as by_account:
        limits.take(account=1, address="a")
    assert (by_account.value.code, by_account.value.scope) == ("SHARE_RATE_LIMITED", "account")
    assert by_account.value.message.startswith("Too many shares from this account; try again in")
    limits.take(account=2, address="a")
    with pytest.raises(RateLimitedError) as by_address:
        limits.peek(account=3, address="a")
    assert by_address.value.message.startswith("Too many shares from this network; try again in")


def test_rate_limits_in_settings_are_checked_at_start() -> None:
    with pytest.raises(ValidationError, match="is not a rate"):
        Settings(palm_share_per_account="lots")
