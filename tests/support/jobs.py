"""Job policies for tests: short timeouts, and retries only where a test asks for them."""

from __future__ import annotations

from palm.jobs import JobPolicy


def policy(retries: int = 0, intervals: tuple[int, ...] = (0,), timeout: int = 120) -> JobPolicy:
    return JobPolicy(
        timeout=timeout,
        result_ttl=3600,
        failure_ttl=3600,
        retries=retries,
        retry_intervals=intervals,
    )
