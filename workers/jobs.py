"""Job functions, enqueued by dotted path. Thin: open a session, call a service."""

from __future__ import annotations

from workers.tracking import ProgressReporter, tracked


@tracked
def ping(message: str = "ping", *, progress: ProgressReporter) -> str:
    """Proves the round trip UI → Redis → worker → database."""
    progress("pinging", 0.5)
    return "pong" if message == "ping" else message
