"""Worker deaths per hour, counted where they are found: the supervisor that saw a worker
process exit, and the heartbeat-lapse recovery (RQ's abandoned-job handling, whose failure
callback names the job's worker). One small Redis counter per hour
(``palm:metrics:worker-deaths:<hour>``), kept a little over a day.

One death is counted once: both paths see the same worker when the supervisor hands its jobs
back, so each worker name is noted (``palm:worker-death:<name>``, a day) and a second
report of it is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from redis import Redis

DEATHS_PREFIX = "palm:metrics:worker-deaths:"
SEEN_PREFIX = "palm:worker-death:"
HOUR = 3600
KEEP_SECONDS = 25 * HOUR


def record_worker_death(redis: Redis, worker_name: str, *, now: float) -> bool:
    """Count the death of ``worker_name`` in its hour; False if it was counted already."""
    if not redis.set(SEEN_PREFIX + worker_name, int(now), nx=True, ex=KEEP_SECONDS):
        return False
    key = f"{DEATHS_PREFIX}{int(now // HOUR)}"
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, KEEP_SECONDS)
    pipe.execute()
    return True


def worker_deaths_per_hour(
    redis: Redis, *, now: float, hours: int = 24
) -> list[tuple[datetime, int]]:
    """(hour start, deaths) for each of the last ``hours`` hours, oldest first, zeros kept."""
    last = int(now // HOUR)
    slots = list(range(last - hours + 1, last + 1))
    counts = redis.mget([f"{DEATHS_PREFIX}{slot}" for slot in slots])
    return [
        (datetime.fromtimestamp(slot * HOUR, UTC), int(count or 0))
        for slot, count in zip(slots, counts, strict=True)
    ]
