"""Workers as RQ registers them: who, where, doing what for how long, and whether the worker
is still beating. A worker killed outright leaves its registration behind (RQ's key lives
on for worker_ttl): its heartbeat ages, and the console flags it stale."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime

import psutil
from redis import Redis
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob

from palm.jobs import worker_deaths_per_hour

__all__ = ["STALE_AFTER", "WorkerStatus", "worker_deaths_per_hour", "worker_statuses"]

#: A live PalmWorker beats at least once per maintenance interval (15 s) while idle and every
#: 5 s while a job runs: a minute of silence means it is gone or hung.
STALE_AFTER = 60.0


@dataclass(frozen=True)
class WorkerStatus:
    name: str
    host: str
    pid: int | None
    state: str
    current_job: str
    job_seconds: float | None
    heartbeat_age: float | None
    stale: bool
    done: int
    failed: int
    working_seconds: float
    started: datetime | None
    rss_bytes: int | None = None  # only for workers on this machine


def _rss(host: str, pid: int | None) -> int | None:
    if pid is None or host != socket.gethostname():
        return None
    try:
        return int(psutil.Process(pid).memory_info().rss)
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None  # gone (a killed worker's registration outlives it) or not ours


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _job_started(redis: Redis, rq_id: str | None) -> datetime | None:
    if not rq_id:
        return None
    try:
        return _aware(RQJob.fetch(rq_id, connection=redis).started_at)
    except NoSuchJobError:
        return None


def worker_statuses(redis: Redis, *, now: datetime) -> list[WorkerStatus]:
    statuses = []
    for worker in Worker.all(connection=redis):
        beat = _aware(worker.last_heartbeat)
        age = (now - beat).total_seconds() if beat is not None else None
        rq_id = worker.get_current_job_id()
        began = _job_started(redis, rq_id)
        statuses.append(
            WorkerStatus(
                name=worker.name,
                host=worker.hostname or "",
                pid=worker.pid,
                state=str(worker.get_state()),
                current_job=rq_id or "",
                job_seconds=(now - began).total_seconds() if began is not None else None,
                heartbeat_age=age,
                stale=age is None or age > STALE_AFTER,
                done=worker.successful_job_count,
                failed=worker.failed_job_count,
                working_seconds=worker.total_working_time,
                started=_aware(worker.birth_date),
                rss_bytes=_rss(worker.hostname or "", worker.pid),
            )
        )
    return sorted(statuses, key=lambda status: status.name)
