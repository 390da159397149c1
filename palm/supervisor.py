"""Keeps the launcher's children running, and never gives up on one because Redis is down.

A child that exits is started again: at once if it had been running a while (a killed
worker), with backoff (1 s, 2 s, … 60 s) while it keeps dying soon after its start. A worker
gets a fresh RQ name each time (RQ refuses a name whose key is still alive), its death is
counted (palm.jobs' per-hour counters), and the jobs it was running are handed to RQ's
abandoned-job handling at once. While Redis does not answer, nothing is started: children
wait for it, and the embedded Redis is itself restarted on its port if it died.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from palm.infra import EmbeddedRedis, RedisUnavailableError, check_reachable, die_with_parent
from palm.jobs import Queues, record_worker_death, recover_worker_jobs
from palm.settings import PROJECT_ROOT

BACKOFF_SECONDS = (0, 1, 2, 4, 8, 15, 30, 60)
STEADY_SECONDS = 60  # a child that ran this long starts its backoff over
Say = Callable[[str], None]


@dataclass
class Child:
    """A supervised process; ``command(generation)`` builds its command line afresh."""

    name: str
    command: Callable[[int], list[str]]
    env: dict[str, str]
    rq_name: Callable[[int], str] | None = None  # workers: their RQ name per generation
    generation: int = 0
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_exits: int = 0
    due_at: float | None = None  # when an exited child is to be started again

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(self.generation),
            env=self.env,
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        self.started_at = time.monotonic()
        self.due_at = None

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None and self.due_at is None


@dataclass
class Supervisor:
    """The processes the launcher started, and what to do when one ends."""

    redis_url: str
    queues: Queues
    say: Say
    redis: EmbeddedRedis | None = None
    children: list[Child] = field(default_factory=list)

    def add(self, child: Child) -> None:
        self.children.append(child)
        child.start()

    def redis_ok(self) -> bool:
        try:
            check_reachable(self.redis_url, timeout=0.5)
        except RedisUnavailableError:
            return False
        return True

    def tick(self) -> None:
        """One round: revive the embedded Redis, note exits, start what is due."""
        if self.redis is not None and self.redis.process.poll() is not None:
            self.say("the embedded Redis exited; starting it again (its data is on disk)")
            self.redis = self.redis.restart()
        now = time.monotonic()
        redis_ok = None
        for child in self.children:
            if child.exited():
                redis_ok = self.redis_ok() if redis_ok is None else redis_ok
                self._exited(child, now, redis_ok)
            elif child.due_at is not None and now >= child.due_at:
                redis_ok = self.redis_ok() if redis_ok is None else redis_ok
                if redis_ok:  # never start into a Redis that is down: try again next tick
                    child.generation += 1
                    child.start()
                    self.say(f"{child.name} started again")

    def _exited(self, child: Child, now: float, redis_ok: bool) -> None:
        assert child.process is not None
        code = child.process.returncode
        ran = now - child.started_at
        child.quick_exits = 0 if ran >= STEADY_SECONDS else child.quick_exits + 1
        delay = BACKOFF_SECONDS[min(child.quick_exits, len(BACKOFF_SECONDS) - 1)]
        child.due_at = now + delay
        self.say(f"{child.name} exited with code {code}; starting it again in {delay} s")
        if child.rq_name is not None and redis_ok:
            self._recover(child.rq_name(child.generation))

    def _recover(self, worker_name: str) -> None:
        try:
            record_worker_death(self.queues.redis, worker_name, now=time.time())
            jobs = recover_worker_jobs(self.queues, worker_name)
        except (RedisError, OSError) as error:
            self.say(f"could not recover the jobs of {worker_name} yet: {error}")
            return
        if jobs:
            self.say(f"handed {len(jobs)} job(s) of {worker_name} back to the queue")

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the app, the workers and the scheduler first (they use Redis), then Redis."""
        running = [c.process for c in reversed(self.children) if c.process is not None]
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.redis is not None:
            self.redis.stop()
