"""Queues as the console shows them: RQ's registries per queue, and the flow of work (rates,
waits, run times, the oldest waiting job) from the jobs table's timestamps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.jobs import QUEUE_NAMES, Queues
from palm.models import Job
from palm.ops.stats import per_minute, percentile
from palm.vocabulary import TERMINAL_JOB_STATES, JobState

SHORT = timedelta(minutes=5)
LONG = timedelta(hours=1)
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Registries:
    """RQ's own counts for one queue."""

    queue: str
    queued: int
    scheduled: int
    deferred: int
    started: int
    failed: int
    finished: int


@dataclass(frozen=True)
class QueueFlow:
    """How one queue keeps up, from the jobs table (seconds; None without samples)."""

    queue: str
    started_per_min_5m: float = 0.0
    finished_per_min_5m: float = 0.0
    started_per_min_1h: float = 0.0
    finished_per_min_1h: float = 0.0
    wait_p50: float | None = None
    wait_p95: float | None = None
    run_p50: float | None = None
    run_p95: float | None = None
    oldest_queued_age: float | None = None


@dataclass(frozen=True)
class HourlyCount:
    hour: datetime
    queue: str
    started: int
    finished: int


def registries(queues: Queues) -> list[Registries]:
    return [
        Registries(
            queue=queue.name,
            queued=queue.count,
            scheduled=queue.scheduled_job_registry.count,
            deferred=queue.deferred_job_registry.count,
            started=queue.started_job_registry.count,
            failed=queue.failed_job_registry.count,
            finished=queue.finished_job_registry.count,
        )
        for queue in queues.all()
    ]


def _seconds(later: datetime, earlier: datetime) -> float:
    return max((later - earlier).total_seconds(), 0.0)


def queue_flows(session: Session, *, now: datetime) -> list[QueueFlow]:
    """Per queue: jobs started and finished per minute over the last 5 minutes and the last
    hour, wait (enqueued → started) and run (started → ended) p50/p95 over the last hour, and
    the age of the oldest job still waiting."""
    since = now - LONG
    started: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for queue, enqueued, began in session.execute(
        select(Job.queue, Job.enqueued_at, Job.started_at).where(Job.started_at >= since)
    ):
        if began is not None:
            started[queue].append((began, _seconds(began, enqueued)))
    ended: dict[str, list[tuple[datetime, float | None]]] = defaultdict(list)
    for queue, began, end in session.execute(
        select(Job.queue, Job.started_at, Job.ended_at).where(
            Job.ended_at >= since, Job.state.in_(TERMINAL_JOB_STATES)
        )
    ):
        if end is not None:
            ended[queue].append((end, _seconds(end, began) if began is not None else None))
    oldest = dict(
        session.execute(
            select(Job.queue, func.min(Job.enqueued_at))
            .where(Job.state == JobState.QUEUED)
            .group_by(Job.queue)
        ).all()
    )
    flows = []
    for name in sorted(set(QUEUE_NAMES) | set(started) | set(ended) | set(oldest)):
        starts, ends = started.get(name, []), ended.get(name, [])
        recent = now - SHORT
        waits = [wait for _, wait in starts]
        runs = [run for _, run in ends if run is not None]  # never started: no run time
        first = oldest.get(name)
        flows.append(
            QueueFlow(
                queue=name,
                started_per_min_5m=per_minute(sum(t >= recent for t, _ in starts), 300),
                finished_per_min_5m=per_minute(sum(t >= recent for t, _ in ends), 300),
                started_per_min_1h=per_minute(len(starts), 3600),
                finished_per_min_1h=per_minute(len(ends), 3600),
                wait_p50=percentile(waits, 50),
                wait_p95=percentile(waits, 95),
                run_p50=percentile(runs, 50),
                run_p95=percentile(runs, 95),
                oldest_queued_age=_seconds(now, first) if first is not None else None,
            )
        )
    return flows


def _hour(column: Any, dialect: str) -> Any:
    """The hour a timestamp falls in, computed by the database (so 24 h of jobs come back as
    at most 24 rows per queue)."""
    if dialect == "postgresql":
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%d %H:00:00", column)  # SQLite keeps UTC text


def _as_hour(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def hourly_counts(session: Session, *, now: datetime) -> list[HourlyCount]:
    """Jobs started and finished per queue and hour over the last 24 hours (the chart)."""
    since = now - DAY
    dialect = session.get_bind().dialect.name
    counts: dict[tuple[datetime, str], list[int]] = defaultdict(lambda: [0, 0])
    for index, column, extra in (
        (0, Job.started_at, ()),
        (1, Job.ended_at, (Job.state.in_(TERMINAL_JOB_STATES),)),
    ):
        bucket = _hour(column, dialect)
        rows = session.execute(
            select(Job.queue, bucket, func.count())
            .where(column >= since, *extra)
            .group_by(Job.queue, bucket)
        )
        for queue, hour, count in rows:
            counts[(_as_hour(hour), queue)][index] += int(count)
    return [
        HourlyCount(at, queue, started_count, finished_count)
        for (at, queue), (started_count, finished_count) in sorted(counts.items())
    ]
