"""`python -m workers.scheduler --url REDIS_URL`: RQ's scheduler as a process of its own.

Retries with an interval wait in RQ's scheduled registry until a scheduler moves them back to
their queue. `rq worker --with-scheduler` forks one per worker, and a SIGKILLed worker left it
orphaned (holding the scheduler lock); here it is a child the launcher supervises like any
other, dies with it, and outlives a Redis outage by waiting for Redis to come back.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Sequence

from redis import Redis
from redis.exceptions import RedisError
from rq.scheduler import RQScheduler

from palm.infra import configure_logging
from palm.jobs import QUEUE_NAMES
from palm.settings import get_settings

BACKOFF_SECONDS = (1, 2, 3, 5)  # as the workers': resume soon after Redis is back
log = logging.getLogger("workers.scheduler")


def wait_for(redis: Redis, stopping: threading.Event) -> bool:
    """Back off until Redis answers; False when a stop was requested meanwhile."""
    attempt = 0
    while not stopping.is_set():
        try:
            redis.ping()
            return True
        except (RedisError, OSError):
            stopping.wait(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)])
            attempt += 1
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.scheduler")
    parser.add_argument("--url", required=True, help="the Redis the workers use")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.palm_log_level, settings.palm_log_format)
    redis = Redis.from_url(args.url, socket_connect_timeout=5, socket_timeout=5)  # noqa: TID251
    stopping = threading.Event()
    while True:
        scheduler = RQScheduler(QUEUE_NAMES, connection=redis)
        try:
            scheduler.work()  # type: ignore[no-untyped-call]  # returns after SIGTERM (its own handler): a clean stop
            return 0
        except (RedisError, OSError) as error:
            if scheduler._stop_requested:  # stopping while Redis is away: nothing to release
                return 0
            log.warning("scheduler: Redis failed (%s); waiting for it", error)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda _signum, _frame: stopping.set())
        if not wait_for(redis, stopping):
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
