"""Domain errors: a stable code for logs and tests, and a message a person can act on."""

from __future__ import annotations


class PalmError(Exception):
    """Base of every error a page may show: `code` is stable, `message` is for people."""

    code: str = "ERROR"
    #: Worth trying again? Deterministic refusals (a bad photo) are not; RQ retries the rest.
    retryable: bool = False

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
