"""LLM response cache in Redis: the same photo asked the same way costs nothing the second time.

Keys: ``palm:cache:llm:entry:<image sha256>:<type>:<model>:<prompt version>:<settings hash>``,
JSON values with a TTL. Hit and miss counters (``palm:cache:llm:hits`` / ``misses``) feed the
admin page. Redis trouble is a miss, never a failed reading.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from typing import Any

from pydantic import ValidationError
from redis import Redis
from redis.exceptions import RedisError

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


class ResponseCache:
    """Cached LLM interpretations plus hit/miss counters."""

    def __init__(self, redis: Redis, *, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds

    def get(self, key: str) -> Interpretation | None:
        """The cached interpretation, counting a hit or a miss."""
        try:
            raw = self.redis.get(key)
            self.redis.incr(HITS_KEY if raw is not None else MISSES_KEY)
        except RedisError as exc:
            log.warning("LLM cache read failed: %s", exc)
            return None
        if raw is None:
            return None
        try:
            return Interpretation.model_validate_json(raw)
        except ValidationError:
            log.warning("Dropping an unreadable LLM cache entry %s", key)
            self._delete(key)
            return None

    def put(self, key: str, interpretation: Interpretation) -> None:
        try:
            self.redis.set(key, interpretation.model_dump_json(), ex=self.ttl_seconds)
        except RedisError as exc:
            log.warning("LLM cache write failed: %s", exc)

    def stats(self) -> dict[str, int]:
        """Hit and miss counts since the counters were last reset."""
        hits, misses = self.redis.mget(HITS_KEY, MISSES_KEY)
        return {"hits": int(hits or 0), "misses": int(misses or 0)}

    def forget_image(self, image_sha256: str) -> int:
        """Drop every cached reading of one image (when its reading is deleted)."""
        keys = list(self.redis.scan_iter(match=f"{PREFIX}:entry:{image_sha256}:*", count=200))
        return int(self.redis.delete(*keys)) if keys else 0

    def _delete(self, key: str) -> None:
        with contextlib.suppress(RedisError):
            self.redis.delete(key)
