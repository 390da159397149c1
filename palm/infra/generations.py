"""Cache generations: a counter per user, plus one for cross-user views, bumped after every
committed write that changes what cached views show.

Writers (readings, shares, preferences) bump; readers (the explore cache) put the current
generations into their keys, so a bump makes every older key unreachable at once. Redis
trouble is logged and left to the cache's TTL: a write never fails because a bump did.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from redis import Redis
from redis.exceptions import RedisError

GLOBAL_GENERATION = "palm:explore:gen:all"
log = logging.getLogger(__name__)


def user_generation_key(user_id: int) -> str:
    return f"palm:explore:gen:user:{user_id}"


def invalidate_users(redis: Redis | None, user_ids: Iterable[int]) -> None:
    """After a commit that changed these users' readings or shares: bump their generations
    and the cross-user one (analysts' views include everyone)."""
    if redis is None:
        return
    pipe = redis.pipeline(transaction=False)
    for user_id in set(user_ids):
        pipe.incr(user_generation_key(user_id))
    pipe.incr(GLOBAL_GENERATION)
    try:
        pipe.execute()
    except (RedisError, OSError) as error:
        log.warning("cache generation bump failed (TTL will expire entries): %s", error)


def invalidate_user(redis: Redis | None, user_id: int) -> None:
    invalidate_users(redis, [user_id])
