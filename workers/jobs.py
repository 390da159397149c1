"""Job functions, enqueued by dotted path with ids only. Thin: take the process's clients
(palm.runtime), call a feature operation."""

from __future__ import annotations

from palm.privacy import run_export
from palm.readings import remove_readings, run_analysis
from palm.runtime import get_runtime
from palm.vocabulary import Progress
from palm.webhooks import deliver
from workers.tracking import announce_export, announce_reading, tracked


@tracked
def ping(message: str = "ping", *, progress: Progress) -> str:
    """Proves the round trip UI → Redis → worker → database."""
    progress("pinging", 0.5)
    return "pong" if message == "ping" else message


@tracked
def analyze_reading(reading_id: int, *, progress: Progress) -> None:
    """Analyse one uploaded photo (the `analysis` queue)."""
    runtime = get_runtime()
    if runtime.redis is None:
        raise RuntimeError("REDIS_URL is not set in the worker's environment")
    run_analysis(
        runtime.session_factory,
        runtime.blob_store,
        runtime.redis,
        runtime.reader,
        runtime.settings,
        reading_id,
        progress,
    )
    announce_reading(reading_id)


@tracked
def export_account(user_id: int, *, progress: Progress) -> int:
    """Build one person's export zip (Export my data); returns its size."""
    runtime = get_runtime()
    if runtime.redis is None:
        raise RuntimeError("REDIS_URL is not set in the worker's environment")
    size = run_export(
        runtime.session_factory,
        runtime.redis,
        runtime.blob_store,
        runtime.cipher,
        user_id,
        progress,
    )
    announce_export(user_id)
    return size


@tracked
def delete_readings(user_id: int, reading_ids: str, *, progress: Progress) -> int:
    """Delete many of one person's readings (the API's bulk delete; ids comma-separated);
    returns how many went."""
    runtime = get_runtime()
    ids = [int(part) for part in reading_ids.split(",") if part]
    return remove_readings(
        runtime.session_factory,
        runtime.blob_store,
        runtime.redis,
        user_id,
        ids,
        progress,
    )


@tracked
def deliver_webhook(delivery_id: int, *, progress: Progress) -> None:
    """One attempt of one webhook delivery; a failure is retried by RQ with backoff."""
    runtime = get_runtime()
    progress("sending", 0.5)
    deliver(runtime.session_factory, runtime.webhook_http, runtime.webhook_rules, delivery_id)
