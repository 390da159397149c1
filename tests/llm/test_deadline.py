"""A budget for the LLM calls of one piece of work: no try outlasts it, transient errors are
retried inside it, and what is not an LLM failure (RQ's job timeout) is never swallowed."""

from __future__ import annotations

import httpx
import openai
import pytest
from rq.timeouts import JobTimeoutException

from palm.llm import LLM, Deadline, DeadlineExceededError, PriceTable, Spend, make_openai_client
from tests.support.stub_openai import Step, StubOpenAI

FAST_RETRY = {"retry-after-ms": "10"}


def llm_for(base_url: str, *, timeout: float = 30.0, max_retries: int = 2) -> LLM:
    client = make_openai_client("k", base_url, timeout=timeout)
    return LLM(client, "gpt-4o-mini", prices=PriceTable(), max_retries=max_retries)


def complete(llm: LLM, deadline: Deadline | None) -> str | None:
    messages = [{"role": "user", "content": "hi"}]
    return llm.complete_json(messages, Spend(), temperature=0, max_tokens=50, deadline=deadline)


def test_a_hung_server_gets_one_try_cut_to_the_budget_not_three_full_timeouts(
    stub: StubOpenAI,
) -> None:
    stub.then(Step(hang=True), Step(hang=True), Step(hang=True))
    with pytest.raises((openai.APITimeoutError, DeadlineExceededError)):
        complete(llm_for(stub.base_url, timeout=30.0), Deadline.within(2.5))
    assert len(stub.requests) == 1  # the SDK alone would have sent 3, each waiting 30 s


def test_transient_errors_are_retried_within_the_budget(stub: StubOpenAI) -> None:
    stub.then(Step(status=503, headers=FAST_RETRY), Step(status=429, headers=FAST_RETRY))
    assert complete(llm_for(stub.base_url), Deadline.within(20)) is not None
    assert len(stub.requests) == 3


def test_no_retry_starts_when_the_server_asks_for_a_wait_past_the_budget(
    stub: StubOpenAI,
) -> None:
    stub.then(Step(status=429, headers={"retry-after": "25"}))
    with pytest.raises(openai.RateLimitError):
        complete(llm_for(stub.base_url), Deadline.within(10))
    assert len(stub.requests) == 1


def test_a_spent_budget_fails_at_once_without_a_request(stub: StubOpenAI) -> None:
    with pytest.raises(DeadlineExceededError):
        complete(llm_for(stub.base_url), Deadline.within(0.5))
    assert stub.requests == []


def test_a_rejection_is_not_retried(stub: StubOpenAI) -> None:
    stub.then(Step(status=400))
    with pytest.raises(openai.BadRequestError):
        complete(llm_for(stub.base_url), Deadline.within(20))
    assert len(stub.requests) == 1


def test_the_job_timeout_raised_mid_request_reaches_the_worker() -> None:
    def interrupted(_request: httpx.Request) -> httpx.Response:
        raise JobTimeoutException("Task exceeded maximum timeout value (40 seconds)")

    client = make_openai_client(
        "k",
        "http://llm.invalid/v1",
        timeout=30,
        http_client=httpx.Client(transport=httpx.MockTransport(interrupted)),
    )
    llm = LLM(client, "gpt-4o-mini", prices=PriceTable())
    with pytest.raises(JobTimeoutException):
        complete(llm, Deadline.within(20))
    with pytest.raises(JobTimeoutException):
        complete(llm, None)
