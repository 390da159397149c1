"""Server-Sent Events over a polled snapshot: progress of a job or a batch as the workers
write it to the database (the rows the pages poll), resumable with ``Last-Event-ID``.

Each event's id is the snapshot's *position*, a number that grows as the work advances
(stages, attempts, photos finished). A client that reconnects with the last id it saw gets
only what came after it, then the final ``end`` event; nothing is replayed twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import StreamingResponse

from palm.errors import PalmError

EVENT_STREAM = "text/event-stream"
POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 1000
SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "progress events, then one `end` event",
        "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
    }
}


@dataclass(frozen=True)
class Snapshot:
    position: int
    data: dict[str, Any]
    final: bool


def last_event_id(request: Request) -> int:
    raw = request.headers.get("last-event-id", "").strip()
    return int(raw) if raw.isdigit() else -1


def frame(snapshot: Snapshot) -> str:
    kind = "end" if snapshot.final else "progress"
    body = json.dumps(snapshot.data, default=str, separators=(",", ":"))
    return f"id: {snapshot.position}\nevent: {kind}\ndata: {body}\n\n"


async def _events(
    read: Callable[[], Snapshot], after: int, max_seconds: float
) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    started = beat = time.monotonic()
    while True:
        try:
            snapshot = await anyio.to_thread.run_sync(read)
        except PalmError as error:  # it went away meanwhile (deleted): say so and end
            yield f"event: error\ndata: {json.dumps({'code': error.code})}\n\n"
            return
        if snapshot.position > after or (snapshot.final and after < 0):
            yield frame(snapshot)
            after, beat = snapshot.position, time.monotonic()
        if snapshot.final:
            return
        now = time.monotonic()
        if now - started >= max_seconds:
            return  # the client reconnects with Last-Event-ID and carries on
        if now - beat >= HEARTBEAT_SECONDS:
            yield ": keep-alive\n\n"
            beat = now
        await anyio.sleep(POLL_SECONDS)


def stream(request: Request, read: Callable[[], Snapshot]) -> StreamingResponse:
    """The stream of ``read``'s snapshots; the first read happens before the response
    starts, so an unknown id is a 404 problem rather than an empty stream."""
    read()
    max_seconds = float(getattr(request.app.state, "stream_seconds", 300.0))
    return StreamingResponse(
        _events(read, last_event_id(request), max_seconds),
        media_type=EVENT_STREAM,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
