"""Response cache against a real Redis: round trip, TTL, keys, counters, resilience."""

from __future__ import annotations

import socket

from cryptography.fernet import Fernet, MultiFernet
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from palm.readers.cache import (
    HITS_KEY,
    ResponseCache,
    cache_key,
    forget_cached_replies,
    settings_hash,
)
from palm.readers.types import Interpretation
from palm.vocabulary import AnalysisType

SHA = "d" * 64
CIPHER = MultiFernet([Fernet(Fernet.generate_key())])


def sample() -> Interpretation:
    return Interpretation(
        analysis_type=AnalysisType.HEAD,
        title="Mind",
        text="Clear thinker.",
        per_line={"head": "Long and straight."},
        confidence=0.7,
        engine="llm:gpt-4o-mini",
        prompt_version="prompt-1.0",
    )


def test_round_trip_with_ttl_and_counters(redis_client: Redis) -> None:
    cache = ResponseCache(redis_client, CIPHER, ttl_seconds=600)
    key = cache_key(SHA, "head", "gpt-4o-mini", "prompt-1.0", "abc")
    assert cache.get(key) is None
    cache.put(key, sample())
    assert cache.get(key) == sample()
    assert 0 < redis_client.ttl(key) <= 600
    assert cache.stats() == {"hits": 1, "misses": 1}
    assert int(redis_client.get(HITS_KEY) or 0) == 1


def test_every_key_part_matters() -> None:
    base = ("head", "gpt-4o-mini", "prompt-1.0", "abc")
    keys = {
        cache_key(SHA, *base),
        cache_key("e" * 64, *base),
        cache_key(SHA, "love", *base[1:]),
        cache_key(SHA, "head", "gpt-4o", *base[2:]),
        cache_key(SHA, "head", "gpt-4o-mini", "prompt-2.0", "abc"),
        cache_key(SHA, "head", "gpt-4o-mini", "prompt-1.0", "xyz"),
    }
    assert len(keys) == 6


def test_settings_hash_is_stable_and_sensitive() -> None:
    assert settings_hash(a=1, b="x") == settings_hash(b="x", a=1)
    assert settings_hash(a=1) != settings_hash(a=2)


def test_forget_image_removes_only_that_image(redis_client: Redis) -> None:
    cache = ResponseCache(redis_client, CIPHER)
    cache.put(cache_key(SHA, "head", "m", "p", "s"), sample())
    cache.put(cache_key(SHA, "love", "m", "p", "s"), sample())
    other = cache_key("f" * 64, "head", "m", "p", "s")
    cache.put(other, sample())
    assert forget_cached_replies(redis_client, SHA) == 2
    assert cache.get(other) == sample()


def test_a_corrupt_entry_is_a_miss_and_is_dropped(redis_client: Redis) -> None:
    cache = ResponseCache(redis_client, CIPHER)
    key = cache_key(SHA, "head", "m", "p", "s")
    redis_client.set(key, "{broken")
    assert cache.get(key) is None
    assert not redis_client.exists(key)


def test_redis_down_is_a_miss_not_an_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = Redis(
        host="127.0.0.1",
        port=port,
        socket_connect_timeout=0.2,
        socket_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
    )
    cache = ResponseCache(dead, CIPHER)
    key = cache_key(SHA, "head", "m", "p", "s")
    assert cache.get(key) is None
    cache.put(key, sample())  # swallowed, logged


def test_cached_replies_are_sealed_in_redis(redis_client: Redis) -> None:
    cache = ResponseCache(redis_client, CIPHER)
    key = cache_key(SHA, "head", "gpt-4o-mini", "prompt-1.0", "abc")
    cache.put(key, sample())
    stored = redis_client.get(key)
    assert isinstance(stored, bytes) and stored.startswith(b"gAAAAA")
    for secret in (b"Clear thinker", b"Long and straight", b"per_line"):
        assert secret not in stored
    assert CIPHER.decrypt(stored).startswith(b"{")


def test_a_reply_cached_in_clear_or_under_a_retired_key_is_a_miss_and_is_dropped(
    redis_client: Redis,
) -> None:
    cache = ResponseCache(redis_client, CIPHER)
    legacy, retired = (cache_key(SHA, kind, "m", "p", "s") for kind in ("head", "love"))
    redis_client.set(legacy, sample().model_dump_json())  # what older versions stored
    redis_client.set(retired, Fernet(Fernet.generate_key()).encrypt(b"{}"))
    assert cache.get(legacy) is None and cache.get(retired) is None
    assert not redis_client.exists(legacy) and not redis_client.exists(retired)
    assert cache.stats() == {"hits": 0, "misses": 2}
