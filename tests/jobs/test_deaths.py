"""Worker deaths in per-hour Redis counters: counted in their hour, once per worker, kept a
little over a day, read back as the last 24 hours with the empty ones as zeros."""

from __future__ import annotations

from datetime import UTC, datetime

from redis import Redis

from palm.jobs import record_worker_death, worker_deaths_per_hour
from palm.jobs.deaths import DEATHS_PREFIX, HOUR, KEEP_SECONDS

NOW = 1_800_000_000.0  # some moment, 2027-01-15


def test_deaths_are_counted_per_hour_once_per_worker_over_the_last_day(
    redis_client: Redis,
) -> None:
    assert record_worker_death(redis_client, "w1", now=NOW)
    assert record_worker_death(redis_client, "w2", now=NOW - 2 * HOUR)
    assert record_worker_death(redis_client, "w3", now=NOW - 2 * HOUR)
    assert not record_worker_death(redis_client, "w1", now=NOW)  # the same death reported again
    assert record_worker_death(redis_client, "old", now=NOW - 30 * HOUR)
    hours = worker_deaths_per_hour(redis_client, now=NOW)
    assert len(hours) == 24
    assert hours[-1] == (datetime.fromtimestamp(NOW // HOUR * HOUR, UTC), 1)
    assert hours[-3][1] == 2
    assert sum(count for _, count in hours) == 3  # the 30-hour-old one is out of the window
    ttl = redis_client.ttl(f"{DEATHS_PREFIX}{int(NOW // HOUR)}")
    assert 0 < ttl <= KEEP_SECONDS
    assert len(list(redis_client.scan_iter(match=f"{DEATHS_PREFIX}*"))) == 3  # one key an hour
