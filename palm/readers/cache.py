"""LLM response cache in Redis: the same photo asked the same way costs nothing the second time.

Keys: ``palm:cache:llm:entry:<image sha256>:<type>:<model>:<prompt version>:<settings hash>``
(ids only), values the reply's JSON sealed with the process's MultiFernet (palm.infra), with a
TTL. Hit and miss counters (``palm:cache:llm:hits`` / ``misses``) feed the admin page. Redis
trouble, and a value that does not decrypt, are misses, never a failed reading.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from typing import Any

from cryptography.fernet import MultiFernet
from pydantic import ValidationError
from redis import Redis
from redis.exceptions import RedisError

from palm.infra import RotatedValues, open_value, rotate_values, seal_value
from palm.readers.types import Interpretation

log = logging.getLogger(__name__)

PREFIX = "palm:cache:llm"
HITS_KEY = f"{PREFIX}:hits"
MISSES_KEY = f"{PREFIX}:misses"
DEFAULT_TTL_SECONDS = 30 * 24 * 3600


def cache_key(
    image_sha256: str, analysis_type: str, model: str, prompt_version: str, settings_hash: str
) -> str:
    return f"{PREFIX}:entry:{image_sha256}:{analysis_type}:{model}:{prompt_version}:{settings_hash}"


def settings_hash(**settings: Any) -> str:
    """Stable short hash of the reader settings that change an answer (a cache key part)."""
    blob = json.dumps(settings, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def reply_counters(redis: Redis) -> dict[str, int]:
    """Hit and miss counts since the counters were last reset (no keys needed)."""
    hits, misses = redis.mget(HITS_KEY, MISSES_KEY)
    return {"hits": int(hits or 0), "misses": int(misses or 0)}


def forget_cached_replies(redis: Redis, image_sha256: str) -> int:
    """Drop every cached reading of one image (when its reading is deleted)."""
    keys = list(redis.scan_iter(match=f"{PREFIX}:entry:{image_sha256}:*", count=200))
    return int(redis.delete(*keys)) if keys else 0


def rotate_cached_replies(redis: Redis, cipher: MultiFernet) -> RotatedValues:
    """Every cached reply re-encrypted under the newest key (python -m palm rotate-keys)."""
    return rotate_values(redis, cipher, f"{PREFIX}:entry:*")


class ResponseCache:
    """Cached LLM interpretations, sealed, plus hit/miss counters."""

    def __init__(
        self, redis: Redis, cipher: MultiFernet, *, ttl_seconds: int = DEFAULT_TTL_SECONDS
    ) -> None:
        self.redis = redis
        self.cipher = cipher
        self.ttl_seconds = ttl_seconds

    def get(self, key: str) -> Interpretation | None:
        """The cached interpretation, counting a hit or a miss."""
        try:
            raw = self.redis.get(key)
        except RedisError as exc:
            log.warning("LLM cache read failed: %s", exc)
            return None
        found = self._open(key, raw) if isinstance(raw, bytes) else None
        with contextlib.suppress(RedisError):
            self.redis.incr(HITS_KEY if found is not None else MISSES_KEY)
        return found

    def _open(self, key: str, token: bytes) -> Interpretation | None:
        payload = open_value(self.cipher, token)
        try:
            if payload is not None:
                return Interpretation.model_validate_json(payload)
        except ValidationError:
            pass
        log.warning("Dropping an unreadable LLM cache entry %s", key)
        self._delete(key)
        return None

    def put(self, key: str, interpretation: Interpretation) -> None:
        token = seal_value(self.cipher, interpretation.model_dump_json().encode("utf-8"))
        try:
            self.redis.set(key, token, ex=self.ttl_seconds)
        except RedisError as exc:
            log.warning("LLM cache write failed: %s", exc)

    def stats(self) -> dict[str, int]:
        return reply_counters(self.redis)

    def _delete(self, key: str) -> None:
        with contextlib.suppress(RedisError):
            self.redis.delete(key)
