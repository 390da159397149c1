"""The RQ worker class the launcher runs (`rq worker -w workers.worker.PalmWorker`).

A SimpleWorker: jobs run in the worker process itself instead of a fork per job, because a
fork would re-import the vision stack and reload the hand model for every photo (≈1.5 s,
measured in bench/pipeline.py) — the model is not fork-safe to share.

The price is that a killed worker takes its job with it, so the job's registry entry lives
only as long as the worker keeps beating: a thread renews it every HEARTBEAT_SECONDS while a
job runs, and it lapses HEARTBEAT_TTL seconds after the worker died. Then any worker's
maintenance (or, at once, the launcher that saw its child die) hands the job to RQ's
abandoned-job handling: our failure callback marks the row WORKER_DIED and RQ retries it.

Redis going away does not end the worker: it waits, with backoff, and comes back under a new
registration (RQ refuses a name whose key is still alive).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.exceptions import StopRequested
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue
from rq.worker import WorkerStatus
from sqlalchemy.exc import SQLAlchemyError

from palm.infra import configure_logging
from palm.llm import warn_if_due
from palm.models import utcnow
from palm.ops import reconcile, sample_caches
from palm.readings import prune_change_sequence
from palm.runtime import get_runtime

HEARTBEAT_SECONDS = 5
HEARTBEAT_TTL = 20  # a dead worker's job is abandoned this long after its last beat
#: Waits between tries while Redis is away: short, since a ping costs nothing and work
#: should resume within seconds of Redis coming back (RQ's own backoff grows to 60 s).
BACKOFF_SECONDS = (1, 2, 3, 5)


class PalmWorker(SimpleWorker):
    max_connection_wait_time = float(BACKOFF_SECONDS[-1])  # RQ's, while dequeueing

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = get_runtime().settings
        configure_logging(settings.palm_log_level, settings.palm_log_format)
        for name in ("rq.worker", "rq.job"):  # `rq worker` gave these handlers of their own
            rq_logger = logging.getLogger(name)
            rq_logger.handlers.clear()
            rq_logger.propagate = True  # to ours; RQ's bootstrap then adds none
        super().__init__(*args, **kwargs)
        self.first_name = self.name
        self.lives = 0
        self.stopping = threading.Event()  # SIGTERM/SIGINT: also ends a wait for Redis
        warm_up()

    def handle_warm_shutdown_request(self) -> None:
        self.stopping.set()
        super().handle_warm_shutdown_request()  # type: ignore[no-untyped-call]

    @property
    def dequeue_timeout(self) -> int:
        """An idle worker wakes once per maintenance interval: RQ would block for worker_ttl
        − 15 s (405 s) and only then sweep for jobs whose worker died."""
        return max(1, min(int(self.maintenance_interval), super().dequeue_timeout))

    def run_maintenance_tasks(self) -> None:
        """RQ's clean-up (abandoned jobs, registries), then ours: rows whose job Redis lost,
        the cache counters' minute snapshot, the LLM budget's warning and the pruning of the
        readings' change sequence."""
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]
        runtime = get_runtime()
        if runtime.queues is None:
            return
        try:
            reconcile(runtime.session_factory, runtime.queues, runtime.settings)
        except (RedisError, OSError, SQLAlchemyError) as error:
            self.log.warning("Worker %s: reconciling jobs failed: %s", self.name, error)
        try:  # a snapshot of the cache counters per minute, for the console's history
            sample_caches(runtime.queues.redis, now=time.time())
        except (RedisError, OSError) as error:
            self.log.warning("Worker %s: sampling the cache counters failed: %s", self.name, error)
        try:  # the LLM budget's 80% warning, audited once a month by whichever worker sees it
            budget = runtime.settings.palm_llm_monthly_budget_usd
            warn_if_due(runtime.session_factory, budget, now=utcnow())
        except SQLAlchemyError as error:
            self.log.warning("Worker %s: checking the LLM budget failed: %s", self.name, error)
        try:  # the readings' change sequence keeps a day (the explore mirrors read it)
            prune_change_sequence(runtime.session_factory, now=utcnow())
        except SQLAlchemyError as error:
            self.log.warning("Worker %s: pruning the change sequence failed: %s", self.name, error)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:  # noqa: ARG002
        """Short: the beating thread keeps a running job alive, a dead worker's job lapses."""
        return HEARTBEAT_TTL

    def execute_job(self, job: Job, queue: Queue) -> None:
        """SimpleWorker's, with a thread that keeps the job's registry entry alive."""
        execution = self.prepare_execution(job)
        stop = threading.Event()
        beating = threading.Thread(
            target=self._beat, args=(job, execution, stop), daemon=True, name="heartbeat"
        )
        beating.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            stop.set()
            beating.join(timeout=HEARTBEAT_SECONDS)
        self.set_state(WorkerStatus.IDLE)

    def _beat(self, job: Job, execution: Execution, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                self.maintain_heartbeats(job, execution)
            except (RedisError, OSError) as error:  # the job goes on; the next beat may land
                self.log.warning("Worker %s: heartbeat failed: %s", self.name, error)

    def work(self, *args: Any, **options: Any) -> bool:
        """RQ's work loop, resumed after Redis comes back instead of ending the process."""
        burst = bool(options.get("burst", args[0] if args else False))
        worked = False
        while True:
            try:
                worked = super().work(*args, **options) or worked
            except (RedisError, OSError) as error:
                self.log.warning("Worker %s: Redis failed (%s)", self.name, error)
            if burst or self.stopping.is_set():
                return worked
            try:
                if not self._wait_for_redis():
                    return worked
            except StopRequested:  # RQ's handler, raised when a signal lands while idle
                return worked
            self.lives += 1
            self.name = f"{self.first_name}.{self.lives}"  # the old key may still be alive
            self.log.info("Worker %s: Redis is back, working again", self.name)

    def _wait_for_redis(self) -> bool:
        """Back off until Redis answers; False when a stop was requested meanwhile."""
        attempt = 0
        while not self.stopping.is_set():
            try:
                self.connection.ping()
                return True
            except (RedisError, OSError):
                pause = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
                self.log.warning("Worker %s: Redis unreachable, retrying in %d s", self.name, pause)
                self.stopping.wait(pause)
                attempt += 1
        return False


def warm_up() -> None:
    """Import the job modules and load the hand model before the first job arrives."""
    import numpy as np

    import workers.jobs  # noqa: F401  (imports the vision and reading stacks)
    from palm.vision import detect_hand

    detect_hand(np.zeros((256, 256, 3), dtype=np.uint8))
