"""Job functions, enqueued by dotted path with ids only. Thin: open a session, call a service."""

from __future__ import annotations

from palm.infra.redis import connect
from palm.infra.storage import blob_store
from palm.services.analysis import run_analysis
from palm.settings import get_settings
from workers.runtime import session_factory
from workers.tracking import ProgressReporter, tracked


@tracked
def ping(message: str = "ping", *, progress: ProgressReporter) -> str:
    """Proves the round trip UI → Redis → worker → database."""
    progress("pinging", 0.5)
    return "pong" if message == "ping" else message


@tracked
def analyze_reading(reading_id: int, *, progress: ProgressReporter) -> None:
    """Analyse one uploaded photo (the `analysis` queue)."""
    settings = get_settings()
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set in the worker's environment")
    with connect(settings.redis_url) as redis:
        run_analysis(session_factory(), blob_store(settings), redis, settings, reading_id, progress)
