"""Retries, and a time budget for the LLM calls of one piece of work (an analysis job, a
chat answer).

The SDK would retry each request by itself (429, 5xx, timeouts) with no idea of a total budget:
with a hung provider one reading type cost 3 tries × 30 s, five types 450 s, past the job's
timeout. Under a deadline a request gets ``min(timeout, time left)`` and the retries are ours
(tenacity, honouring ``retry-after`` as the SDK did), so no try starts that could not end in
time; once the
budget is spent every further call fails at once with LLM_DEADLINE and the offline reader
answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

T = TypeVar("T")
MIN_REQUEST_SECONDS = 2.0  # a try with less time than this left is not worth starting
MAX_RETRY_AFTER = 30.0
_backoff = wait_exponential_jitter(multiplier=0.5, max=8.0, jitter=0.5)


class DeadlineExceededError(Exception):
    """The work's LLM budget is spent."""


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock by which the LLM calls of one piece of work end."""

    at: float

    @classmethod
    def within(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()


UNBOUNDED = Deadline(float("inf"))  # work without a budget: only the tries are counted


def transient(exc: BaseException) -> bool:
    """What the SDK itself would retry: timeouts, lost connections, 408, 409, 429, 5xx."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    try:
        if "retry-after-ms" in headers:
            return min(float(headers["retry-after-ms"]) / 1000, MAX_RETRY_AFTER)
        if "retry-after" in headers:
            return min(float(headers["retry-after"]), MAX_RETRY_AFTER)
    except ValueError:  # an HTTP date or junk: our own backoff
        return None
    return None


def _wait(state: RetryCallState) -> float:
    failed = state.outcome.exception() if state.outcome else None
    asked = _retry_after(failed)
    return asked if asked is not None else float(_backoff(state))


def within(deadline: Deadline, attempts: int, timeout: float, call: Callable[[float], T]) -> T:
    """``call(timeout_for_this_try)``, retried on transient errors while the budget lasts."""

    def stop(state: RetryCallState) -> bool:
        pause = state.upcoming_sleep or 0.0
        out_of_time = deadline.remaining() - pause < MIN_REQUEST_SECONDS
        return state.attempt_number >= attempts or out_of_time

    for attempt in Retrying(
        stop=stop, wait=_wait, retry=retry_if_exception(transient), reraise=True
    ):
        with attempt:
            left = deadline.remaining()
            if left < MIN_REQUEST_SECONDS:
                raise DeadlineExceededError(f"{max(left, 0):.1f} s of the LLM budget left")
            return call(min(timeout, left))
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover
