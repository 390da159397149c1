"""Queue figures: RQ's registries per queue, and rates, waits, run times and the oldest
waiting job from the jobs table's timestamps."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.jobs import ANALYSIS_QUEUE, DEFAULT_QUEUE, Queues, create_job
from palm.models import Job, utcnow
from palm.ops import hourly_counts, percentile, queue_flows, registries, submit_ping
from palm.vocabulary import JobState
from tests.support.jobs import policy
from tests.workers.burst import run_burst_worker


def add_job(
    session: Session,
    name: str,
    *,
    queue: str = ANALYSIS_QUEUE,
    state: JobState = JobState.FINISHED,
    enqueued_ago: float,
    wait: float | None = None,
    run: float | None = None,
) -> Job:
    """A row whose timestamps say: enqueued ``enqueued_ago`` s ago, waited, ran."""
    now = utcnow()
    job = create_job(session, rq_id=name, kind="test", queue=queue)
    job.state = state
    job.enqueued_at = now - timedelta(seconds=enqueued_ago)
    if wait is not None:
        job.started_at = job.enqueued_at + timedelta(seconds=wait)
    if wait is not None and run is not None:
        job.ended_at = job.enqueued_at + timedelta(seconds=wait + run)
    return job


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 95) == 9.55
    assert percentile([], 50) is None


def test_waits_and_run_times_give_their_p50_and_p95(
    session_factory: sessionmaker[Session],
) -> None:
    """Ten analyses waited 1…10 s and ran 10…100 s in the last hour; older ones don't count."""
    with transaction(session_factory) as session:
        for i in range(1, 11):
            add_job(session, f"recent-{i}", enqueued_ago=600 + 10 * i, wait=i, run=10 * i)
        add_job(session, "old", enqueued_ago=3 * 3600, wait=500, run=500)
        add_job(session, "waiting", state=JobState.QUEUED, enqueued_ago=95)
    with transaction(session_factory) as session:
        flows = {flow.queue: flow for flow in queue_flows(session, now=utcnow())}
    analysis = flows[ANALYSIS_QUEUE]
    assert analysis.wait_p50 is not None and abs(analysis.wait_p50 - 5.5) < 0.01
    assert analysis.wait_p95 is not None and abs(analysis.wait_p95 - 9.55) < 0.01
    assert analysis.run_p50 is not None and abs(analysis.run_p50 - 55) < 0.01
    assert analysis.run_p95 is not None and abs(analysis.run_p95 - 95.5) < 0.01
    assert analysis.started_per_min_1h == 10 / 60
    assert analysis.finished_per_min_1h == 10 / 60
    assert analysis.started_per_min_5m == 0  # all started more than 5 minutes ago
    assert analysis.oldest_queued_age is not None and 95 <= analysis.oldest_queued_age < 100
    default = flows[DEFAULT_QUEUE]
    assert default.wait_p95 is None and default.oldest_queued_age is None


def test_recent_jobs_count_towards_the_five_minute_rate_and_the_hourly_chart(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        for i in range(6):
            add_job(session, f"fresh-{i}", queue=DEFAULT_QUEUE, enqueued_ago=60, wait=1, run=1)
    now = utcnow()
    with transaction(session_factory) as session:
        flow = next(f for f in queue_flows(session, now=now) if f.queue == DEFAULT_QUEUE)
        chart = hourly_counts(session, now=now)
    assert flow.started_per_min_5m == 6 / 5 and flow.finished_per_min_5m == 6 / 5
    assert sum(point.started for point in chart) == 6
    assert sum(point.finished for point in chart) == 6


def test_a_real_worker_run_shows_in_the_registries_and_the_flow(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> None:
    queues = Queues(redis_client)
    for _ in range(3):
        submit_ping(session_factory, queues, policy(), None)
    before = {r.queue: r for r in registries(queues)}
    assert before[DEFAULT_QUEUE].queued == 3 and before[DEFAULT_QUEUE].finished == 0
    with transaction(session_factory) as session:
        waiting = next(f for f in queue_flows(session, now=utcnow()) if f.queue == DEFAULT_QUEUE)
    assert waiting.oldest_queued_age is not None
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
    after = {r.queue: r for r in registries(queues)}
    assert after[DEFAULT_QUEUE].queued == 0 and after[DEFAULT_QUEUE].finished == 3
    with transaction(session_factory) as session:
        flow = next(f for f in queue_flows(session, now=utcnow()) if f.queue == DEFAULT_QUEUE)
    assert flow.finished_per_min_5m == 3 / 5
    assert flow.wait_p50 is not None and flow.wait_p50 > 0
    assert flow.run_p95 is not None and flow.run_p95 >= 0
    assert flow.oldest_queued_age is None
