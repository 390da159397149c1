"""How an LLM call went wrong, as the stable codes readings and chat answers record."""

from __future__ import annotations

import openai

from palm.llm.deadline import DeadlineExceededError


class ReplyError(Exception):
    """The model answered, but not with something we can show."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class BudgetExhaustedError(Exception):
    """This month's LLM budget is spent: no call is made until it rolls over or is raised."""

    def __init__(self) -> None:
        super().__init__("the monthly LLM budget is used up")


#: What an LLM call may raise that the offline reader answers for. Nothing wider: RQ's job
#: timeout (an Exception) must end the job, not turn into a fallback reading.
LLM_ERRORS: tuple[type[Exception], ...] = (
    openai.OpenAIError,
    ReplyError,
    DeadlineExceededError,
    BudgetExhaustedError,
)


def error_code(exc: BaseException) -> str:
    """The fallback reason recorded for a failure."""
    if isinstance(exc, ReplyError):
        return exc.code
    if isinstance(exc, BudgetExhaustedError):
        return "LLM_BUDGET"
    if isinstance(exc, DeadlineExceededError):
        return "LLM_DEADLINE"
    if isinstance(exc, openai.APITimeoutError):
        return "LLM_TIMEOUT"
    if isinstance(exc, openai.APIConnectionError):
        return "LLM_UNAVAILABLE"
    if isinstance(exc, openai.RateLimitError):
        return "LLM_RATE_LIMITED"
    if isinstance(exc, openai.APIStatusError):
        return "LLM_SERVER_ERROR" if exc.status_code >= 500 else "LLM_REJECTED"
    return "LLM_ERROR"
