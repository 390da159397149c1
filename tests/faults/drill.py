"""Fault drills against the real stack: `python -m palm serve` in its own process group, a way
to send photos as a person would, and the figures bench/faults.py prints.

The test process builds its own clients (palm.runtime.Runtime) over the stack's database,
Redis and data directory, exactly like another replica of the app would.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from PIL import Image
from redis import Redis
from rq import Worker
from rq.job import Job as RQJob
from sqlalchemy import select

from palm.accounts import create_user
from palm.db import transaction
from palm.jobs import analysis_policy
from palm.models import Job, Reading
from palm.readings import BatchLimits, Upload, submit_batch
from palm.runtime import Runtime
from palm.settings import Settings
from palm.vocabulary import SETTLED_STATUSES, JobState, ReadingStatus, Role
from tests.e2e.stack import RunningStack, running_stack
from tests.support.photos import photo

SAMPLES = ("palm_f_hanging.jpg", "palm_m_hanging.jpg")
REPORT = os.environ.get("PALM_FAULT_REPORT")  # bench/faults.py: where the figures go


def small_photo(name: str, side: int = 640) -> bytes:
    """A real palm photo at phone-upload size: the drill is about the queue, not the pixels."""
    picture = Image.open(io.BytesIO(photo(name)))
    picture.thumbnail((side, side))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def wait_until(condition: Callable[[], bool], timeout: float, what: str, drill: Drill) -> float:
    """Poll until ``condition`` holds; returns the seconds it took. Fails with the stack's log
    if the launcher died or the time ran out."""
    started = time.monotonic()
    while not condition():
        if drill.stack.process.poll() is not None:
            raise AssertionError(f"the launcher exited while waiting for {what}:\n{drill.log()}")
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not after {timeout} s\n{drill.status()}\n{drill.log()}")
        time.sleep(0.2)
    return time.monotonic() - started


@dataclass
class Drill:
    stack: RunningStack
    runtime: Runtime
    user_id: int
    figures: dict[str, float | int | str] = field(default_factory=dict)
    watched: list[int] = field(default_factory=list)  # the readings a failure message shows

    @property
    def redis(self) -> Redis:
        assert self.runtime.redis is not None
        return self.runtime.redis

    def log(self) -> str:
        """The end of the launcher's output, for failure messages."""
        return self.stack.output()[-6000:]

    def said(self, text: str) -> bool:
        """Whether the launcher (or a child) printed ``text`` at any point."""
        return text in self.stack.output()

    def submit(self, count: int) -> list[int]:
        """``count`` photos in one batch (copies allowed), the analysis as configured."""
        settings = self.runtime.settings
        uploads = [
            Upload(f"palm-{i}.jpg", small_photo(SAMPLES[i % len(SAMPLES)]), "auto")
            for i in range(count)
        ]
        limits = BatchLimits(
            max_files=count, max_bytes=5 * 1024 * 1024, policy=analysis_policy(settings)
        )
        assert self.runtime.queues is not None
        batch = submit_batch(
            self.runtime.session_factory,
            self.runtime.queues,
            self.runtime.blob_store,
            user_id=self.user_id,
            uploads=uploads,
            analysis_types=["full"],
            limits=limits,
            allow_copies=True,
        )
        return list(batch.reading_ids)

    def readings(self, ids: list[int]) -> list[Reading]:
        with transaction(self.runtime.session_factory) as session:
            rows = list(session.scalars(select(Reading).where(Reading.id.in_(ids))))
            session.expunge_all()
        return rows

    def count(self, ids: list[int]) -> Counter[str]:
        return Counter(reading.status for reading in self.readings(ids))

    def settled(self, ids: list[int]) -> bool:
        return all(reading.status in SETTLED_STATUSES for reading in self.readings(ids))

    def jobs(self, ids: list[int]) -> list[Job]:
        with transaction(self.runtime.session_factory) as session:
            rows = list(session.scalars(select(Job).where(Job.reading_id.in_(ids))))
            session.expunge_all()
        return rows

    def started_job(self, ids: list[int]) -> Job | None:
        return next((j for j in self.jobs(ids) if j.state == JobState.STARTED), None)

    def worker_pid_of(self, rq_id: str) -> int | None:
        """The pid of the worker process running an RQ job, from RQ's own records."""
        name = RQJob.fetch(rq_id, connection=self.redis).worker_name
        if name is None:
            return None
        worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + name, self.redis)
        return worker.pid if worker is not None else None

    def live_workers(self) -> int:
        """Workers registered in Redis whose process is one of the stack's."""
        pids = {p.pid for p in self.stack.descendants()}
        return sum(1 for worker in Worker.all(connection=self.redis) if worker.pid in pids)

    def status(self) -> str:
        return f"readings: {dict(self.count(self.watched))}" if self.watched else ""

    def all_done(self, ids: list[int]) -> None:
        """Every reading done (none failed, none stuck), each with one set of results."""
        readings = self.readings(ids)
        assert [r.status for r in readings] == [ReadingStatus.DONE] * len(ids), self.status()
        assert all(r.engine for r in readings)

    def record(self, scenario: str) -> None:
        record(scenario, self.figures)


def record(scenario: str, figures: dict[str, float | int | str]) -> None:
    """Keep a drill's figures for bench/faults.py (nothing happens in a plain test run)."""
    if not REPORT:
        return
    path = Path(REPORT)
    report = json.loads(path.read_text()) if path.exists() else {}
    report[scenario] = figures
    path.write_text(json.dumps(report, indent=2))


def embedded_redis_url(stack: RunningStack) -> str:
    """The URL of the redis-server the launcher started itself (no REDIS_URL given)."""
    server = next(p for p in stack.descendants() if "redis-server" in p.name())
    port = next(
        c.laddr.port for c in server.net_connections("inet") if c.status == psutil.CONN_LISTEN
    )
    return f"redis://127.0.0.1:{port}/0"


def drill_settings(env: dict[str, str], redis_url: str) -> Settings:
    return Settings(
        database_url=env["DATABASE_URL"],
        redis_url=redis_url,
        palm_data_dir=Path(env["PALM_DATA_DIR"]),
    )


@contextmanager
def drill(env: dict[str, str], tmp_path: Path, *, workers: int = 2) -> Iterator[Drill]:
    """The stack running over ``env`` (the offline reader), and a person to send photos.
    Without REDIS_URL in ``env`` the launcher starts its embedded Redis."""
    unset: tuple[str, ...] = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PALM_ENCRYPTION_KEYS")
    if "REDIS_URL" not in env:
        unset += ("REDIS_URL",)
    with running_stack(env, tmp_path, workers=workers, unset=unset) as stack:
        redis_url = env.get("REDIS_URL") or embedded_redis_url(stack)
        runtime = Runtime(drill_settings(env, redis_url))
        with transaction(runtime.session_factory) as session:
            user_id = create_user(
                session, "drill@example.com", "correct horse battery", Role.USER
            ).id
        yield Drill(stack=stack, runtime=runtime, user_id=user_id)
        runtime.engine.dispose()


def launcher_children(stack: RunningStack) -> list[psutil.Process]:
    return list(psutil.Process(stack.process.pid).children())
