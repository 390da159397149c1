"""How long jobs may run and how long RQ keeps what they leave behind, in one place.

Like rq's own ``rq/defaults.py``: the numbers live here, read from settings where an operator
may want to change them (PALM_JOB_TIMEOUT, PALM_JOB_RESULT_TTL, PALM_JOB_FAILURE_TTL,
PALM_ANALYSIS_RETRIES), so no enqueue site hard-codes its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from palm.settings import Settings

ANALYSIS_QUEUE = "analysis"
DEFAULT_QUEUE = "default"
QUEUE_NAMES = (ANALYSIS_QUEUE, DEFAULT_QUEUE)
#: Seconds between retries of an analysis: a worker restart or a Redis blip usually passes.
ANALYSIS_RETRY_INTERVALS = (2, 10, 30)


@dataclass(frozen=True)
class JobPolicy:
    """Limits of one kind of job: run time, retention of results and failures, retries."""

    timeout: int
    result_ttl: int
    failure_ttl: int
    retries: int = 0
    retry_intervals: tuple[int, ...] = (5,)


def analysis_policy(settings: Settings) -> JobPolicy:
    """A photo's analysis: the configured timeout and retries."""
    return JobPolicy(
        timeout=settings.palm_job_timeout,
        result_ttl=settings.palm_job_result_ttl,
        failure_ttl=settings.palm_job_failure_ttl,
        retries=settings.palm_analysis_retries,
        retry_intervals=ANALYSIS_RETRY_INTERVALS,
    )


def policy_for(kind: str, settings: Settings) -> JobPolicy:
    """The policy of a kind of job (a job enqueued again runs under today's policy)."""
    if kind == "export":
        return export_policy(settings)
    if kind == "bulk_delete":
        return bulk_policy(settings)
    if kind == "webhook":
        return webhook_policy(settings)
    return analysis_policy(settings) if kind == "analysis" else ping_policy(settings)


def bulk_policy(settings: Settings) -> JobPolicy:
    """Deleting up to a thousand readings: ten minutes at most, retried once (a retry skips
    what is already gone)."""
    return JobPolicy(
        timeout=600,
        result_ttl=3600,
        failure_ttl=settings.palm_job_failure_ttl,
        retries=1,
        retry_intervals=(5,),
    )


def webhook_policy(settings: Settings) -> JobPolicy:
    """One webhook delivery: a short attempt, then retries after the configured waits
    (by default 5 tries over about an hour)."""
    intervals = tuple(int(part) for part in settings.palm_webhook_retry_intervals.split(","))
    return JobPolicy(
        timeout=int(settings.palm_webhook_timeout) + 30,
        result_ttl=3600,
        failure_ttl=settings.palm_job_failure_ttl,
        retries=len(intervals),
        retry_intervals=intervals,
    )


def export_policy(settings: Settings) -> JobPolicy:
    """Export my data: a few minutes at most, retried once, its row kept for the 24 h the
    zip is."""
    return JobPolicy(
        timeout=300,
        result_ttl=24 * 3600,
        failure_ttl=settings.palm_job_failure_ttl,
        retries=1,
        retry_intervals=(5,),
    )


def ping_policy(settings: Settings) -> JobPolicy:
    """The admin's round-trip check: short, retried once, its result kept ten minutes."""
    return JobPolicy(
        timeout=30,
        result_ttl=600,
        failure_ttl=settings.palm_job_failure_ttl,
        retries=1,
        retry_intervals=(1,),
    )
