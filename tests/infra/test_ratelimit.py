"""Rate limits live in the real Redis, so every Streamlit replica shares them."""

from __future__ import annotations

from palm.infra.ratelimit import RateLimiter


def test_limit_blocks_after_n_hits_per_key_and_reset_clears_it(redis_url: str) -> None:
    limiter = RateLimiter(redis_url, per_minute=3, namespace="test")
    assert [limiter.hit("ana") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("ben") is True
    limiter.reset("ana")
    assert limiter.hit("ana") is True


def test_two_limiters_on_one_redis_share_counts(redis_url: str) -> None:
    first = RateLimiter(redis_url, per_minute=2, namespace="test")
    second = RateLimiter(redis_url, per_minute=2, namespace="test")
    assert first.hit("ana") and second.hit("ana")
    assert first.hit("ana") is False
