"""Deleting a reading everywhere: rows, encrypted files, cached LLM replies.

Owns its transaction (like a page helper): rows go first in one transaction; files and cache
entries only after it committed, so a failure never leaves rows pointing at missing files.
"""

from __future__ import annotations

import contextlib

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra.storage import BlobStore
from palm.reading.cache import ResponseCache
from palm.services import readings
from palm.services.explore_cache import invalidate_user


def remove_reading(
    factory: sessionmaker[Session],
    store: BlobStore,
    redis: Redis | None,
    user_id: int,
    reading_id: int,
) -> readings.Deletion:
    with transaction(factory) as session:
        deletion = readings.delete_reading(session, user_id, reading_id)
    invalidate_user(redis, user_id)  # committed: explore views drop it on the next page view
    for key in deletion.blob_keys:
        store.delete(key)
    if redis is not None and deletion.image_sha256:
        # if Redis is down the entries simply expire by TTL; the reading itself is gone
        with contextlib.suppress(RedisError, OSError):
            ResponseCache(redis).forget_image(deletion.image_sha256)
    return deletion
