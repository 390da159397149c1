"""The event stream's rules without HTTP: an event only when the position grows, the end
once, a resumed stream skips what the client saw, and a subject that goes away mid-stream
ends it with an error event."""

from __future__ import annotations

from collections.abc import Callable

import anyio

from palm.api.events import Snapshot, _events
from palm.errors import PalmError


def collect(read: Callable[[], Snapshot], after: int = -1) -> list[str]:
    async def run() -> list[str]:
        return [frame async for frame in _events(read, after, max_seconds=30)]

    return anyio.run(run)


def script(*snapshots: Snapshot | PalmError) -> Callable[[], Snapshot]:
    remaining = list(snapshots)

    def read() -> Snapshot:
        step = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(step, PalmError):
            raise step
        return step

    return read


def test_only_growth_is_sent_and_the_end_once() -> None:
    frames = collect(
        script(
            Snapshot(0, {"p": 0}, False),
            Snapshot(0, {"p": 0}, False),
            Snapshot(30, {"p": 30}, False),
            Snapshot(101, {"p": 100}, True),
        )
    )
    assert frames[0].startswith("retry:")
    assert [f.split("\n")[0] for f in frames[1:]] == ["id: 0", "id: 30", "id: 101"]
    assert frames[-1].split("\n")[1] == "event: end"


def test_a_resumed_stream_starts_after_the_last_id() -> None:
    frames = collect(script(Snapshot(30, {}, False), Snapshot(101, {}, True)), after=30)
    assert [f.split("\n")[0] for f in frames[1:]] == ["id: 101"]


def test_a_subject_that_goes_away_ends_with_an_error_event() -> None:
    gone = PalmError("BATCH_NOT_FOUND", "gone")
    frames = collect(script(Snapshot(10, {}, False), gone))
    assert frames[-1] == 'event: error\ndata: {"code": "BATCH_NOT_FOUND"}\n\n'
